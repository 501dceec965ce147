import COpenSSL

/// Argon2 version 0x13 (RFC 9106), the memory-hard password hash that PuTTY's PPK version 3 files
/// use to turn a passphrase into their cipher key, IV and MAC key. libcrypto 3.0 has no Argon2, so
/// this is an implementation of RFC 9106 §3 on top of BLAKE2b (see ``Blake2b``); lanes are computed
/// one after another, which gives the same result as computing them in parallel.
///
/// A key file names its own cost, so the cost is bounded: at most ``maximumMemoryKiB`` KiB of
/// memory, ``maximumPasses`` passes, ``maximumParallelism`` lanes, and at most ``maximumWork``
/// KiB processed in all (memory × passes).
public enum Argon2 {
    /// The three flavours of RFC 9106 §3.4: data-dependent (d), data-independent (i) and the hybrid
    /// (id). The raw value is the type `y` hashed into H0.
    public enum Variant: Int, Sendable, CaseIterable {
        /// Argon2d: reference blocks chosen from the data.
        case argon2d = 0
        /// Argon2i: reference blocks chosen independently of the data.
        case argon2i = 1
        /// Argon2id: Argon2i for the first half of the first pass, Argon2d after.
        case argon2id = 2
    }

    /// The version this implements (RFC 9106 §3.2: `v` is 0x13).
    public static let version: UInt32 = 0x13
    /// The most memory a derivation may use: 256 MiB (PuTTY writes 8 MiB by default).
    public static let maximumMemoryKiB = 256 * 1024
    /// The most passes a derivation may make.
    public static let maximumPasses = 1000
    /// The most lanes a derivation may have.
    public static let maximumParallelism = 255
    /// The most memory × passes, in KiB, a derivation may process: 2 GiB, a few seconds' work.
    public static let maximumWork = 2 * 1024 * 1024
    /// The longest tag this derives.
    public static let maximumTagLength = 1024

    private static let blockWords = 128
    private static let syncPoints = 4

    /// The `tagLength`-byte Argon2 tag of `password` (RFC 9106 §3.2) with `salt`, the optional
    /// `secret` K and `associatedData` X, using `memoryKiB` KiB, `passes` passes and `parallelism`
    /// lanes.
    ///
    /// Throws `.kdfRoundsOutOfRange` when a cost parameter is zero or past the limits above, and
    /// `.unsupportedKDF` when the others are out of RFC 9106's ranges (salt under 8 bytes, memory
    /// under 8 KiB per lane, tag under 4 bytes).
    public static func derive(
        _ variant: Variant, password: SecureBytes, salt: [UInt8], secret: [UInt8] = [],
        associatedData: [UInt8] = [], memoryKiB: Int, passes: Int, parallelism: Int, tagLength: Int
    ) throws(KeyFileError) -> SecureBytes {
        guard (1...maximumParallelism).contains(parallelism), (1...maximumPasses).contains(passes),
            (1...maximumMemoryKiB).contains(memoryKiB), memoryKiB * passes <= maximumWork
        else {
            throw KeyFileError(
                .kdfRoundsOutOfRange,
                "Argon2 memory \(memoryKiB) KiB, \(passes) passes, \(parallelism) lanes: outside 1…\(maximumMemoryKiB) "
                    + "KiB, 1…\(maximumPasses) passes, 1…\(maximumParallelism) lanes, \(maximumWork) KiB of work")
        }
        guard memoryKiB >= 8 * parallelism, salt.count >= 8, salt.count <= 1 << 16, secret.count <= 1 << 16,
            associatedData.count <= 1 << 16, (4...maximumTagLength).contains(tagLength)
        else {
            throw KeyFileError(.unsupportedKDF, "Argon2 parameters outside RFC 9106's ranges")
        }
        do {
            var state = try State(
                variant: variant, password: password, salt: salt, secret: secret, associatedData: associatedData,
                memoryKiB: memoryKiB, passes: passes, parallelism: parallelism, tagLength: tagLength)
            defer { state.release() }
            return try state.run()
        } catch {
            throw KeyFileError(.crypto, "Argon2: \(error)")
        }
    }

    /// H' (RFC 9106 §3.3): BLAKE2b stretched to `length` bytes.
    static func variableHash(_ parts: [[UInt8]], length: Int) throws(CryptoError) -> [UInt8] {
        let prefixed = [littleEndian32(length)] + parts
        if length <= Blake2b.maximumOutputLength { return try Blake2b.hash(prefixed, outputLength: length) }
        let r = (length + 31) / 32 - 2
        var v = try Blake2b.hash(prefixed, outputLength: 64)
        var output = Array(v.prefix(32))
        output.reserveCapacity(length)
        for _ in 1..<r {
            v = try Blake2b.hash([v], outputLength: 64)
            output += v.prefix(32)
        }
        let last = try Blake2b.hash([v], outputLength: length - 32 * r)
        v.zeroize()
        return output + last
    }

    static func littleEndian32(_ value: Int) -> [UInt8] {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian) { Array($0) }
    }

    /// The memory and parameters of one derivation (RFC 9106 §3.2 steps 1–8).
    private struct State {
        let variant: Variant
        let passes: Int
        let lanes: Int
        let tagLength: Int
        let segmentLength: Int
        let laneLength: Int
        let blockCount: Int
        let memory: UnsafeMutablePointer<UInt64>
        /// Scratch for G: R, Q, the address generator's input block and the address block.
        let scratch: UnsafeMutablePointer<UInt64>
        var initial: [UInt8]

        init(
            variant: Variant, password: SecureBytes, salt: [UInt8], secret: [UInt8], associatedData: [UInt8],
            memoryKiB: Int, passes: Int, parallelism: Int, tagLength: Int
        ) throws(CryptoError) {
            self.variant = variant
            self.passes = passes
            self.lanes = parallelism
            self.tagLength = tagLength
            segmentLength = memoryKiB / (syncPoints * parallelism)
            laneLength = segmentLength * syncPoints
            blockCount = laneLength * parallelism
            var passwordBytes = password.unsafeArray
            defer { passwordBytes.zeroize() }
            initial = try Blake2b.hash(
                [
                    littleEndian32(parallelism), littleEndian32(tagLength), littleEndian32(memoryKiB),
                    littleEndian32(passes), littleEndian32(Int(version)), littleEndian32(variant.rawValue),
                    littleEndian32(passwordBytes.count), passwordBytes, littleEndian32(salt.count), salt,
                    littleEndian32(secret.count), secret, littleEndian32(associatedData.count), associatedData,
                ], outputLength: 64)
            memory = .allocate(capacity: blockCount * blockWords)
            memory.initialize(repeating: 0, count: blockCount * blockWords)
            scratch = .allocate(capacity: 5 * blockWords)
            scratch.initialize(repeating: 0, count: 5 * blockWords)
        }

        mutating func release() {
            OPENSSL_cleanse(memory, blockCount * blockWords * 8)
            OPENSSL_cleanse(scratch, 5 * blockWords * 8)
            memory.deallocate()
            scratch.deallocate()
            initial.zeroize()
        }

        func block(_ index: Int) -> UnsafeMutablePointer<UInt64> { memory + index * blockWords }

        func run() throws(CryptoError) -> SecureBytes {
            for lane in 0..<lanes {
                for column in 0..<2 {
                    var bytes = try variableHash([initial, littleEndian32(column), littleEndian32(lane)], length: 1024)
                    load(bytes, into: block(lane * laneLength + column))
                    bytes.zeroize()
                }
            }
            for pass in 0..<passes {
                for slice in 0..<syncPoints {
                    for lane in 0..<lanes {
                        fillSegment(pass: pass, slice: slice, lane: lane)
                    }
                }
            }
            let final = scratch
            final.update(from: block(laneLength - 1), count: blockWords)
            for lane in 1..<max(lanes, 1) {
                let last = block(lane * laneLength + laneLength - 1)
                for word in 0..<blockWords { final[word] ^= last[word] }
            }
            var bytes = [UInt8](repeating: 0, count: 1024)
            for word in 0..<blockWords {
                for shift in 0..<8 {
                    bytes[word * 8 + shift] = UInt8(truncatingIfNeeded: final[word] >> UInt64(shift * 8))
                }
            }
            var tag = try variableHash([bytes], length: tagLength)
            bytes.zeroize()
            defer { tag.zeroize() }
            return SecureBytes(tag)
        }

        private func load(_ bytes: [UInt8], into destination: UnsafeMutablePointer<UInt64>) {
            for word in 0..<blockWords {
                var value: UInt64 = 0
                for shift in 0..<8 { value |= UInt64(bytes[word * 8 + shift]) << UInt64(shift * 8) }
                destination[word] = value
            }
        }

        /// RFC 9106 §3.4: one segment of one lane, its reference blocks chosen from the data (d) or
        /// from an address stream (i), or by Argon2id's rule.
        private func fillSegment(pass: Int, slice: Int, lane: Int) {
            let independent =
                variant == .argon2i || (variant == .argon2id && pass == 0 && slice < syncPoints / 2)
            let zero = scratch + 2 * blockWords
            let input = scratch + 3 * blockWords
            let addresses = scratch + 4 * blockWords
            if independent {
                for word in 0..<blockWords { input[word] = 0 }
                input[0] = UInt64(pass)
                input[1] = UInt64(lane)
                input[2] = UInt64(slice)
                input[3] = UInt64(blockCount)
                input[4] = UInt64(passes)
                input[5] = UInt64(variant.rawValue)
                for word in 0..<blockWords { zero[word] = 0 }
            }
            func nextAddresses() {
                input[6] &+= 1
                Argon2.compress(zero, input, into: addresses, xor: false, scratch: scratch)
                Argon2.compress(zero, addresses, into: addresses, xor: false, scratch: scratch)
            }
            let start = pass == 0 && slice == 0 ? 2 : 0
            if independent, start != 0 { nextAddresses() }
            var current = lane * laneLength + slice * segmentLength + start
            var previous = current % laneLength == 0 ? current + laneLength - 1 : current - 1
            for index in start..<segmentLength {
                if current % laneLength == 1 { previous = current - 1 }
                let pseudoRandom: UInt64
                if independent {
                    if index % blockWords == 0 { nextAddresses() }
                    pseudoRandom = addresses[index % blockWords]
                } else {
                    pseudoRandom = block(previous)[0]
                }
                let referenceLane = pass == 0 && slice == 0 ? lane : Int((pseudoRandom >> 32) % UInt64(lanes))
                let referenceIndex = self.referenceIndex(
                    pass: pass, slice: slice, index: index, sameLane: referenceLane == lane,
                    pseudoRandom: pseudoRandom & 0xFFFF_FFFF)
                Argon2.compress(
                    block(previous), block(referenceLane * laneLength + referenceIndex), into: block(current),
                    xor: pass != 0, scratch: scratch)
                current += 1
                previous += 1
            }
        }

        /// RFC 9106 §3.4.1.2: the column of the reference block within its lane.
        private func referenceIndex(pass: Int, slice: Int, index: Int, sameLane: Bool, pseudoRandom: UInt64) -> Int {
            let areaSize: Int
            if pass == 0 {
                if slice == 0 {
                    areaSize = index - 1
                } else if sameLane {
                    areaSize = slice * segmentLength + index - 1
                } else {
                    areaSize = slice * segmentLength + (index == 0 ? -1 : 0)
                }
            } else if sameLane {
                areaSize = laneLength - segmentLength + index - 1
            } else {
                areaSize = laneLength - segmentLength + (index == 0 ? -1 : 0)
            }
            let x = (pseudoRandom &* pseudoRandom) >> 32
            let y = (UInt64(areaSize) &* x) >> 32
            let relative = areaSize - 1 - Int(y)
            let start = pass == 0 || slice == syncPoints - 1 ? 0 : (slice + 1) * segmentLength
            return (start + relative) % laneLength
        }
    }

    /// The compression function G (RFC 9106 §3.5): `out = P(X ⊕ Y) ⊕ (X ⊕ Y)`, XORed into `out`
    /// when `xor` is set (passes after the first, version 0x13).
    private static func compress(
        _ x: UnsafePointer<UInt64>, _ y: UnsafePointer<UInt64>, into out: UnsafeMutablePointer<UInt64>, xor: Bool,
        scratch: UnsafeMutablePointer<UInt64>
    ) {
        let r = scratch
        let q = scratch + blockWords
        for word in 0..<blockWords {
            let value = x[word] ^ y[word]
            r[word] = value
            q[word] = value
        }
        for row in 0..<8 { permute(q, base: row * 16, pairStride: 2) }
        for column in 0..<8 { permute(q, base: column * 2, pairStride: 16) }
        if xor {
            for word in 0..<blockWords { out[word] ^= q[word] ^ r[word] }
        } else {
            for word in 0..<blockWords { out[word] = q[word] ^ r[word] }
        }
    }

    /// The permutation P (RFC 9106 §3.6) over 16 words taken two at a time, `pairStride` apart.
    @inline(__always)
    private static func permute(_ q: UnsafeMutablePointer<UInt64>, base: Int, pairStride s: Int) {
        // Word k of the 16 is at (k / 2) * s + k % 2. Locals keep the rounds in registers.
        let p = q + base
        var v0 = p[0]
        var v1 = p[1]
        var v2 = p[s]
        var v3 = p[s + 1]
        var v4 = p[2 * s]
        var v5 = p[2 * s + 1]
        var v6 = p[3 * s]
        var v7 = p[3 * s + 1]
        var v8 = p[4 * s]
        var v9 = p[4 * s + 1]
        var v10 = p[5 * s]
        var v11 = p[5 * s + 1]
        var v12 = p[6 * s]
        var v13 = p[6 * s + 1]
        var v14 = p[7 * s]
        var v15 = p[7 * s + 1]
        mix(&v0, &v4, &v8, &v12)
        mix(&v1, &v5, &v9, &v13)
        mix(&v2, &v6, &v10, &v14)
        mix(&v3, &v7, &v11, &v15)
        mix(&v0, &v5, &v10, &v15)
        mix(&v1, &v6, &v11, &v12)
        mix(&v2, &v7, &v8, &v13)
        mix(&v3, &v4, &v9, &v14)
        p[0] = v0
        p[1] = v1
        p[s] = v2
        p[s + 1] = v3
        p[2 * s] = v4
        p[2 * s + 1] = v5
        p[3 * s] = v6
        p[3 * s + 1] = v7
        p[4 * s] = v8
        p[4 * s + 1] = v9
        p[5 * s] = v10
        p[5 * s + 1] = v11
        p[6 * s] = v12
        p[6 * s + 1] = v13
        p[7 * s] = v14
        p[7 * s + 1] = v15
    }

    /// GB (RFC 9106 §3.6): BLAKE2b's G with the 32×32-bit multiplications that make it BlaMka.
    @inline(__always)
    private static func mix(_ a: inout UInt64, _ b: inout UInt64, _ c: inout UInt64, _ d: inout UInt64) {
        let low: UInt64 = 0xFFFF_FFFF
        a = a &+ b &+ 2 &* (a & low) &* (b & low)
        d = (d ^ a).rotatedRight(32)
        c = c &+ d &+ 2 &* (c & low) &* (d & low)
        b = (b ^ c).rotatedRight(24)
        a = a &+ b &+ 2 &* (a & low) &* (b & low)
        d = (d ^ a).rotatedRight(16)
        c = c &+ d &+ 2 &* (c & low) &* (d & low)
        b = (b ^ c).rotatedRight(63)
    }
}
