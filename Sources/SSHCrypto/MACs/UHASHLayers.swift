/// The three layers of UHASH (RFC 4418 §5): NH for L1, POLY for L2 and the inner-product
/// hash for L3, as pure functions over keys already expanded to integers.
///
/// Words follow the RFC's conventions: message words of NH are read little-endian (the RFC's
/// ENDIAN-SWAP followed by a big-endian read), key words and every other string-to-integer
/// conversion are big-endian, and the caller has converted the keys to host integers.
enum UHASHLayers {
    /// Bytes NH takes at a time: eight 32-bit words (RFC 4418 §5.2.2).
    static let blockBytes = 32
    /// Bytes of message that L1 hashes under one key (RFC 4418 §5.2.1).
    static let chunkBytes = 1024
    /// L1 output words POLY64 takes before L2 moves on to POLY128: 2^17 bytes (RFC 4418 §5.3.1),
    /// the L1 output of 16 MiB of message.
    static let poly64Words = 16384

    // MARK: L1: NH (RFC 4418 §5.2.2)

    /// Adds NH of `blocks` 32-byte blocks at `message` to `sums[0..<streams]`. Stream `s` hashes with
    /// the key words from `key + 4·s` (the Toeplitz shift of RFC 4418 §5.1), so each message block is
    /// loaded once for every stream. `key` points at the key word matching the first block and is
    /// 16-byte aligned; `streams` is 1 to 4 and a constant where this is inlined, so the stream
    /// branches fold away.
    ///
    /// Each step adds `(m[i] + k[i]) · (m[i+4] + k[i+4])` for `i` in 0..<4, 32-bit sums multiplied
    /// into 64 bits, all modulo 2^64. Two lanes of `UInt64` hold two such products: the even words in
    /// the low halves, the odd ones in the high halves, which the compiler turns into
    /// 32×32→64-bit vector multiplies (`pmuludq`, `umull`).
    @inline(__always)
    static func nh(
        _ message: UnsafeRawPointer, blocks: Int, key: UnsafeRawPointer, streams: Int,
        sums: UnsafeMutablePointer<UInt64>
    ) {
        #if _endian(little)
            var sum0 = SIMD2<UInt64>()
            var sum1 = SIMD2<UInt64>()
            var sum2 = SIMD2<UInt64>()
            var sum3 = SIMD2<UInt64>()
            var block = message
            var keyBlock = key
            for _ in 0..<blocks {
                let low = block.loadUnaligned(as: SIMD4<UInt32>.self)
                let high = block.loadUnaligned(fromByteOffset: 16, as: SIMD4<UInt32>.self)
                let key0 = keyBlock.load(as: SIMD4<UInt32>.self)
                let key1 = keyBlock.load(fromByteOffset: 16, as: SIMD4<UInt32>.self)
                sum0 &+= products(low &+ key0, high &+ key1)
                if streams > 1 {
                    let key2 = keyBlock.load(fromByteOffset: 32, as: SIMD4<UInt32>.self)
                    sum1 &+= products(low &+ key1, high &+ key2)
                    if streams > 2 {
                        let key3 = keyBlock.load(fromByteOffset: 48, as: SIMD4<UInt32>.self)
                        sum2 &+= products(low &+ key2, high &+ key3)
                        if streams > 3 {
                            let key4 = keyBlock.load(fromByteOffset: 64, as: SIMD4<UInt32>.self)
                            sum3 &+= products(low &+ key3, high &+ key4)
                        }
                    }
                }
                block += blockBytes
                keyBlock += blockBytes
            }
            sums[0] &+= sum0[0] &+ sum0[1]
            if streams > 1 { sums[1] &+= sum1[0] &+ sum1[1] }
            if streams > 2 { sums[2] &+= sum2[0] &+ sum2[1] }
            if streams > 3 { sums[3] &+= sum3[0] &+ sum3[1] }
        #else
            nhWordByWord(message, blocks: blocks, key: key, streams: streams, sums: sums)
        #endif
    }

    /// The four products of one NH step for one stream, as two lanes of partial sums.
    @inline(__always)
    private static func products(_ first: SIMD4<UInt32>, _ second: SIMD4<UInt32>) -> SIMD2<UInt64> {
        let a = unsafeBitCast(first, to: SIMD2<UInt64>.self)
        let b = unsafeBitCast(second, to: SIMD2<UInt64>.self)
        let low = SIMD2<UInt64>(repeating: 0xffff_ffff)
        return (a & low) &* (b & low) &+ (a &>> 32) &* (b &>> 32)
    }

    /// NH as RFC 4418 §5.2.2 writes it, one word at a time: the reference for ``nh(_:blocks:key:streams:sums:)``
    /// and its stand-in on big-endian hosts.
    static func nhWordByWord(
        _ message: UnsafeRawPointer, blocks: Int, key: UnsafeRawPointer, streams: Int,
        sums: UnsafeMutablePointer<UInt64>
    ) {
        let keyWords = key.assumingMemoryBound(to: UInt32.self)
        for stream in 0..<streams {
            var sum: UInt64 = 0
            for block in 0..<blocks {
                let base = block * 8
                for i in 0..<4 {
                    let m = UInt32(littleEndian: message.loadUnaligned(fromByteOffset: (base + i) * 4, as: UInt32.self))
                    let n = UInt32(
                        littleEndian: message.loadUnaligned(fromByteOffset: (base + i + 4) * 4, as: UInt32.self))
                    let a = UInt64(m &+ keyWords[base + 4 * stream + i])
                    let b = UInt64(n &+ keyWords[base + 4 * stream + i + 4])
                    sum &+= a &* b
                }
            }
            sums[stream] &+= sum
        }
    }

    // MARK: L2: POLY (RFC 4418 §5.3.2)

    /// p64 = 2^64 − 59.
    static let prime64: UInt64 = 0xffff_ffff_ffff_ffc5
    /// Words at or above 2^64 − 2^32 are split in two by POLY64.
    static let maximumWord64: UInt64 = 0xffff_ffff_0000_0000
    /// The mask applied to the 64-bit POLY key.
    static let keyMask64: UInt64 = 0x01ff_ffff_01ff_ffff

    /// One step of POLY64: `k·y + m mod p64`, with `y` and the result kept below 2^64 but not
    /// always below p64 (``reduce64(_:)`` finishes). `k` is masked (below 2^57) and `m` is at most
    /// p64 − 1, which keeps each carry to a single fold. The folds add 59 times the carry rather
    /// than branch on it.
    @inline(__always)
    static func poly64Step(_ y: UInt64, key: UInt64, _ m: UInt64) -> UInt64 {
        let (high, low) = key.multipliedFullWidth(by: y)
        // 2^64 ≡ 59 (mod p64); high < 2^57, so high · 59 < 2^63.
        var (result, carry) = low.addingReportingOverflow(high &* 59)
        result &+= 59 &* UInt64(truncatingIfNeeded: carry ? 1 : 0)
        (result, carry) = result.addingReportingOverflow(m)
        result &+= 59 &* UInt64(truncatingIfNeeded: carry ? 1 : 0)
        return result
    }

    /// POLY64's treatment of one word (RFC 4418 §5.3.2): words too close to 2^64 go in as the
    /// marker p64 − 1 followed by the word less the offset 59. Both steps are always computed and
    /// the answer selected by mask, so the time does not tell whether a word was that large (the
    /// timing concern of RFC 4418 §6.6); L2 runs once per 1024 bytes, so the second step is cheap.
    @inline(__always)
    static func poly64(_ y: UInt64, key: UInt64, word: UInt64) -> UInt64 {
        let large = 0 &- UInt64(truncatingIfNeeded: word >= maximumWord64 ? 1 : 0)
        let first = poly64Step(y, key: key, (prime64 - 1) & large | word & ~large)
        let second = poly64Step(first, key: key, word &- 59)
        return second & large | first & ~large
    }

    /// The value below p64 congruent to `y`.
    @inline(__always)
    static func reduce64(_ y: UInt64) -> UInt64 {
        y &- prime64 & (0 &- UInt64(truncatingIfNeeded: y >= prime64 ? 1 : 0))
    }

    /// A 128-bit unsigned integer as two halves, for POLY128.
    struct Word128: Equatable {
        var high: UInt64
        var low: UInt64

        static let one = Word128(high: 0, low: 1)
        /// p128 = 2^128 − 159.
        static let prime = Word128(high: .max, low: 0xffff_ffff_ffff_ff61)
        /// The marker p128 − 1.
        static let marker = Word128(high: .max, low: 0xffff_ffff_ffff_ff60)
        /// Words with their top 32 bits set (at or above 2^128 − 2^96) are split in two.
        static let maximumHigh: UInt64 = 0xffff_ffff_0000_0000
    }

    /// One step of POLY128: `k·y + m mod p128`, kept below 2^128 but not always below p128. `k` is
    /// masked (below 2^121) and `m` is at most p128 − 1.
    static func poly128Step(_ y: Word128, key k: Word128, _ m: Word128) -> Word128 {
        // The 256-bit product as four limbs, least significant first.
        let (a1, a0) = k.low.multipliedFullWidth(by: y.low)
        let (b1, b0) = k.low.multipliedFullWidth(by: y.high)
        let (c1, c0) = k.high.multipliedFullWidth(by: y.low)
        let (d1, d0) = k.high.multipliedFullWidth(by: y.high)
        let r0 = a0
        var r1 = a1
        var r2 = d0
        var r3 = d1
        var carry: Bool
        (r1, carry) = r1.addingReportingOverflow(b0)
        var carries: UInt64 = carry ? 1 : 0
        (r1, carry) = r1.addingReportingOverflow(c0)
        carries += carry ? 1 : 0
        (r2, carry) = r2.addingReportingOverflow(b1)
        r3 &+= carry ? 1 : 0
        (r2, carry) = r2.addingReportingOverflow(c1)
        r3 &+= carry ? 1 : 0
        (r2, carry) = r2.addingReportingOverflow(carries)
        r3 &+= carry ? 1 : 0
        // 2^128 ≡ 159: fold the high half (r3, r2), below 2^121, into the low one. r3 · 159 may
        // reach 2^65, so its high limb f1 joins the few bits above 2^128.
        let (e1, e0) = r2.multipliedFullWidth(by: 159)
        let (f1, f0) = r3.multipliedFullWidth(by: 159)
        var top = f1
        let (low, lowCarry) = r0.addingReportingOverflow(e0)
        var high = r1
        (high, carry) = high.addingReportingOverflow(e1)
        top &+= carry ? 1 : 0
        (high, carry) = high.addingReportingOverflow(f0)
        top &+= carry ? 1 : 0
        (high, carry) = high.addingReportingOverflow(lowCarry ? 1 : 0)
        top &+= carry ? 1 : 0
        // Fold the bits above 2^128 (top is at most 4) once more, then add the word.
        let folded = add(Word128(high: high, low: low), Word128(high: 0, low: top &* 159))
        return add(folded, m)
    }

    /// `a + b` modulo p128, below 2^128, for `a` below 2^128 and `b` at most p128 − 1: a sum that
    /// passes 2^128 drops it and adds 159, which cannot pass 2^128 again since the sum is then below `b`.
    @inline(__always)
    private static func add(_ a: Word128, _ b: Word128) -> Word128 {
        let (low, lowCarry) = a.low.addingReportingOverflow(b.low)
        var (high, carry) = a.high.addingReportingOverflow(b.high)
        var passed = carry
        (high, carry) = high.addingReportingOverflow(lowCarry ? 1 : 0)
        passed = passed || carry
        guard passed else { return Word128(high: high, low: low) }
        let (foldedLow, foldedCarry) = low.addingReportingOverflow(159)
        return Word128(high: high &+ (foldedCarry ? 1 : 0), low: foldedLow)
    }

    /// POLY128's treatment of one word (RFC 4418 §5.3.2), as ``poly64(_:key:word:)`` for 64 bits.
    /// It only hashes messages over 16 MiB, far beyond any SSH packet, and branches on the word.
    static func poly128(_ y: Word128, key: Word128, word: Word128) -> Word128 {
        if word.high >= Word128.maximumHigh {
            let offset = Word128(high: word.high, low: word.low &- 159)
            let borrowed = word.low < 159 ? Word128(high: offset.high &- 1, low: offset.low) : offset
            return poly128Step(poly128Step(y, key: key, Word128.marker), key: key, borrowed)
        }
        return poly128Step(y, key: key, word)
    }

    /// The value below p128 congruent to `y`.
    static func reduce128(_ y: Word128) -> Word128 {
        guard y.high == Word128.prime.high, y.low >= Word128.prime.low else { return y }
        return Word128(high: 0, low: y.low &- Word128.prime.low)
    }

    // MARK: L3: inner-product hash (RFC 4418 §5.4)

    /// p36 = 2^36 − 5.
    static let prime36: UInt64 = 0xf_ffff_fffb

    /// L3-HASH of the 16-byte L2 output `(high, low)`: eight big-endian 16-bit words, each times
    /// its key word (already reduced mod p36), summed mod p36, its low 32 bits xored with `mask`.
    @inline(__always)
    static func l3(_ input: Word128, keys: UnsafePointer<UInt64>, mask: UInt32) -> UInt32 {
        var sum: UInt64 = 0
        for i in 0..<4 {
            let shift = UInt64(48 - 16 * i)
            sum &+= (input.high >> shift & 0xffff) &* keys[i]
            sum &+= (input.low >> shift & 0xffff) &* keys[i + 4]
        }
        // Eight products below 2^52 each: the sum stays below 2^55.
        return UInt32(truncatingIfNeeded: sum % prime36) ^ mask
    }
}
