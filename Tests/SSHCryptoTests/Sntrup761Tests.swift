import Testing

@testable import SSHCrypto

/// A repeatable random source (SplitMix64) for runs that must draw the same keys twice.
private struct SeededRandom: SSHRandomSource {
    var state: UInt64

    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        for index in buffer.indices {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            buffer[index] = UInt8(truncatingIfNeeded: z ^ (z >> 31))
        }
    }
}

/// sntrup761 (NTRU Prime round 3) as `sntrup761x25519-sha512@openssh.com` uses it. That every
/// byte matches OpenSSH's sntrup761.c is shown by the key exchanges with sshd and ssh in the
/// interop suites; these check the parts and the KEM's own properties.
struct Sntrup761Tests {
    private typealias P = Sntrup761Polynomials
    private typealias E = Sntrup761Encoding

    @Test func sizesAreOpenSSHs() {
        #expect(Sntrup761.publicKeyBytes == 1158)
        #expect(Sntrup761.secretKeyBytes == 1763)
        #expect(Sntrup761.ciphertextBytes == 1039)
        #expect(Sntrup761.sharedKeyBytes == 32)
        #expect(Sntrup761X25519KeyAgreement.clientValueBytes == 1190)
        #expect(Sntrup761X25519KeyAgreement.serverValueBytes == 1071)
    }

    @Test(arguments: [1, 2, 3] as [UInt64]) func encapsulatedKeyDecapsulates(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        let pair = try Sntrup761.generateKeyPair(using: &random)
        #expect(pair.publicKey.count == Sntrup761.publicKeyBytes)
        #expect(pair.secretKey.count == Sntrup761.secretKeyBytes)
        let (ciphertext, key) = try Sntrup761.encapsulate(to: pair.publicKey, using: &random)
        #expect(ciphertext.count == Sntrup761.ciphertextBytes)
        let opened = try Sntrup761.decapsulate(ciphertext, secretKey: pair.secretKey)
        #expect(bytes(opened) == bytes(key))
        #expect(key.count == 32)
    }

    @Test func sameRandomnessGivesTheSameKeys() throws {
        var first = SeededRandom(state: 42)
        var second = SeededRandom(state: 42)
        let a = try Sntrup761.generateKeyPair(using: &first)
        let b = try Sntrup761.generateKeyPair(using: &second)
        #expect(a.publicKey == b.publicKey)
        #expect(bytes(a.secretKey) == bytes(b.secretKey))
        let (c1, k1) = try Sntrup761.encapsulate(to: a.publicKey, using: &first)
        let (c2, k2) = try Sntrup761.encapsulate(to: b.publicKey, using: &second)
        #expect(c1 == c2)
        #expect(bytes(k1) == bytes(k2))
    }

    /// A ciphertext not made for the key opens to another key, the same one each time, with no
    /// error to tell an attacker (implicit rejection); altering the confirmation hash does too.
    @Test(arguments: [0, 500, 1006, 1007, 1038]) func alteredCiphertextOpensToAnotherKey(index: Int) throws {
        var random = SeededRandom(state: 7)
        let pair = try Sntrup761.generateKeyPair(using: &random)
        let (ciphertext, key) = try Sntrup761.encapsulate(to: pair.publicKey, using: &random)
        var altered = ciphertext
        altered[index] ^= 0x01
        let first = try Sntrup761.decapsulate(altered, secretKey: pair.secretKey)
        let again = try Sntrup761.decapsulate(altered, secretKey: pair.secretKey)
        #expect(bytes(first) != bytes(key))
        #expect(bytes(first) == bytes(again))
    }

    @Test func wrongLengthsThrow() throws {
        var random = SeededRandom(state: 9)
        let pair = try Sntrup761.generateKeyPair(using: &random)
        #expect(throws: CryptoError.self) { try Sntrup761.encapsulate(to: Array(pair.publicKey.dropLast()), using: &random) }
        #expect(throws: CryptoError.self) {
            try Sntrup761.decapsulate([UInt8](repeating: 0, count: 1038), secretKey: pair.secretKey)
        }
        #expect(throws: CryptoError.self) {
            try Sntrup761.decapsulate([UInt8](repeating: 0, count: 1039), secretKey: SecureBytes([1, 2, 3]))
        }
    }

    @Test func networkSortSorts() {
        var random = SeededRandom(state: 11)
        for count in [0, 1, 2, 3, 5, 8, 17, 100, 286, 761] {
            var values = (0..<count).map { _ in Int32(truncatingIfNeeded: random.next()) }
            values += [Int32.min, Int32.max, 0, -1].prefix(count > 4 ? 4 : 0)
            let expected = values.sorted()
            ConstantTime.sort(&values)
            #expect(values == expected, "count \(count)")
        }
    }

    @Test func reductionsAgreeWithDivision() {
        var random = SeededRandom(state: 13)
        let edges: [Int32] = [Int32.min, Int32.min + 1, -10_000_000, -4591, -2296, -2295, -2, -1, 0, 1, 2, 2295, 2296, 4591, 10_000_000, Int32.max]
        let samples = edges + (0..<20_000).map { _ in Int32(truncatingIfNeeded: random.next()) }
            + (0..<20_000).map { _ in Int32(truncatingIfNeeded: random.next() % 30_000_000) - 15_000_000 }
        for x in samples {
            let wide = Int64(x)
            var q = wide % 4591
            if q > 2295 { q -= 4591 }
            if q < -2295 { q += 4591 }
            var three = wide % 3
            if three > 1 { three -= 3 }
            if three < -1 { three += 3 }
            #expect(Int64(P.freezeQ(x)) == q, "freezeQ(\(x))")
            #expect(Int64(P.freeze3(x)) == three, "freeze3(\(x))")
        }
        for m: UInt16 in [2, 3, 1531, 4591, 16383] {
            for x in [0, 1, UInt32(m) - 1, UInt32(m), 1_000_000, UInt32.max] {
                let (quotient, remainder) = ConstantTime.divide(x, m)
                #expect(quotient == x / UInt32(m) && UInt32(remainder) == x % UInt32(m))
            }
        }
        #expect(Int32(P.freezeQ(Int32(P.reciprocalQ(3)) * 3)) == 1)
    }

    /// The 32-bit reduction agrees with the general one across its range, |x| ≤ 2^24: every
    /// eleventh value, and every value within 2q of either end and of 0.
    @Test func narrowReductionAgreesOnItsRange() {
        let limit: Int32 = 1 << 24
        let ends: [ClosedRange<Int32>] = [(-limit)...(-limit + 2 * 4591), (-2 * 4591)...(2 * 4591), (limit - 2 * 4591)...limit]
        var disagreements = 0
        for x in ends.joined() where P.freezeQSmall(x) != P.freezeQ(x) { disagreements += 1 }
        for x in stride(from: -limit, through: limit, by: 11) where P.freezeQSmall(x) != P.freezeQ(x) { disagreements += 1 }
        #expect(disagreements == 0)
    }

    @Test func reciprocalsInvert() throws {
        var random = SeededRandom(state: 17)
        var one = [Int8](repeating: 0, count: P.p)
        one[0] = 1
        var inverted = 0
        for _ in 0..<4 {
            let g = P.small(fromRandom: (0..<P.p).map { _ in UInt32(truncatingIfNeeded: random.next()) })
            guard let inverse = P.reciprocal3(g) else { continue }
            inverted += 1
            #expect(P.multiply3(g, inverse) == one)
        }
        #expect(inverted > 0)
        let f = P.short(fromRandom: (0..<P.p).map { _ in UInt32(truncatingIfNeeded: random.next()) })
        #expect(f.filter { $0 != 0 }.count == P.w)
        let inverse = try #require(P.reciprocalOfThreeTimes(f))
        let product = P.multiply(inverse, small: f).map { P.freezeQ(3 * Int32($0)) }
        #expect(product == one.map(Int16.init))
        // Not invertible in R/3: the zero polynomial.
        #expect(P.reciprocal3([Int8](repeating: 0, count: P.p)) == nil)
    }

    @Test func encodingsRoundTrip() {
        var random = SeededRandom(state: 19)
        let h = (0..<P.p).map { _ in P.freezeQ(Int32(truncatingIfNeeded: random.next())) }
        let encoded = E.encodePublic(h)
        #expect(encoded.count == 1158)
        #expect(encoded.withUnsafeBufferPointer { E.decodePublic($0) } == h)
        let rounded = P.round(h)
        #expect(rounded.allSatisfy { Int32($0) % 3 == 0 && abs(Int32($0)) <= 2295 })
        let roundedBytes = E.encodeRounded(rounded)
        #expect(roundedBytes.count == 1007)
        #expect(roundedBytes.withUnsafeBufferPointer { E.decodeRounded($0) } == rounded)
        let small = P.small(fromRandom: (0..<P.p).map { _ in UInt32(truncatingIfNeeded: random.next()) })
        let smallBytes = E.encodeSmall(small)
        #expect(smallBytes.count == 191)
        #expect(smallBytes.withUnsafeBufferPointer { E.decodeSmall($0) } == small)
    }

    /// Whatever a peer sends decodes to coefficients in range.
    @Test func anyBytesDecodeInRange() {
        var random = SeededRandom(state: 23)
        for _ in 0..<5 {
            let junk = random.bytes(1158)
            #expect(junk.withUnsafeBufferPointer { E.decodePublic($0) }.allSatisfy { abs(Int32($0)) <= 2295 })
            #expect(junk.withUnsafeBufferPointer { E.decodeRounded(UnsafeBufferPointer(rebasing: $0[0..<1007])) }
                .allSatisfy { abs(Int32($0)) <= 2295 })
        }
        #expect([UInt8](repeating: 0xFF, count: 1158).withUnsafeBufferPointer { E.decodePublic($0) }.count == 761)
    }

    @Test func hybridSidesAgree() throws {
        var random = SeededRandom(state: 29)
        let client = try Sntrup761X25519KeyAgreement(using: &random)
        #expect(client.publicValue.count == 1190)
        let server = try Sntrup761X25519KeyAgreement(respondingTo: client.publicValue, using: &random)
        #expect(server.publicValue.count == 1071)
        let clientSecret = try client.sharedSecret(with: server.publicValue)
        let serverSecret = try server.sharedSecret(with: client.publicValue)
        #expect(clientSecret.count == 64)
        #expect(bytes(clientSecret) == bytes(serverSecret))
        #expect(client.sharedSecretIsString && server.sharedSecretIsString)
        #expect(!(try X25519KeyAgreement(using: &random)).sharedSecretIsString)
    }

    @Test func hybridRejectsBadValues() throws {
        var random = SeededRandom(state: 31)
        let client = try Sntrup761X25519KeyAgreement(using: &random)
        #expect(throws: CryptoError.self) { try Sntrup761X25519KeyAgreement(respondingTo: [1, 2, 3], using: &random) }
        #expect(throws: CryptoError.self) { try client.sharedSecret(with: [UInt8](repeating: 0, count: 1070)) }
        // A low-order X25519 point (all zero) is refused even beside a well-formed ciphertext.
        let server = try Sntrup761X25519KeyAgreement(respondingTo: client.publicValue, using: &random)
        let zeroPoint = Array(server.publicValue.prefix(1039)) + [UInt8](repeating: 0, count: 32)
        #expect(throws: CryptoError.self) { try client.sharedSecret(with: zeroPoint) }
    }

    private func bytes(_ secure: SecureBytes) -> [UInt8] { secure.withUnsafeBytes { Array($0) } }
}
