/// The rings of Streamlined NTRU Prime sntrup761 (NTRU Prime, round 3 specification §3):
/// polynomials of degree below p = 761 modulo x^p − x − 1, with coefficients in F3 (written
/// −1, 0, 1: "small") or in Fq with q = 4591 (written −2295…2295). Every operation runs in time
/// independent of the coefficients.
enum Sntrup761Polynomials {
    static let p = 761
    static let q: Int32 = 4591
    static let w = 286
    /// (q − 1) / 2: Fq's representatives are −q12…q12.
    static let q12: Int32 = 2295

    // MARK: Reduction

    /// `x` modulo 3 as −1, 0 or 1, for any `x` of Int32.
    @inline(__always)
    static func freeze3(_ x: Int32) -> Int8 {
        // Barrett: t ≈ x / 3 rounded; then at most one step of correction either way.
        let t = Int32(truncatingIfNeeded: (Int64(x) &* 1_431_655_765 &+ (1 << 31)) >> 32)
        var r = x &- 3 &* t
        r &-= 3 & ConstantTime.negativeMask(1 &- r)
        r &+= 3 & ConstantTime.negativeMask(r &+ 1)
        return Int8(truncatingIfNeeded: r)
    }

    /// `x` modulo q as −q12…q12, for any `x` of Int32.
    @inline(__always)
    static func freezeQ(_ x: Int32) -> Int16 {
        // 935_519 = round(2^32 / q).
        let t = Int32(truncatingIfNeeded: (Int64(x) &* 935_519 &+ (1 << 31)) >> 32)
        var r = x &- q &* t
        r &-= q & ConstantTime.negativeMask(q12 &- r)
        r &+= q & ConstantTime.negativeMask(r &+ q12)
        return Int16(truncatingIfNeeded: r)
    }

    /// ``freezeQ(_:)`` for |x| ≤ 2^24, which holds a sum of two products of Fq values, in 32-bit
    /// arithmetic only: a loop of it vectorizes where the 64-bit products of ``freezeQ(_:)`` do not.
    @inline(__always)
    static func freezeQSmall(_ x: Int32) -> Int16 {
        // 57 = round(2^18 / q): the quotient is within 8 of x / q, so |r| < 9q; 57 · 2^24 < 2^31.
        var r = x &- q &* ((x &* 57) >> 18)
        // 29_235 = round(2^27 / q): the quotient is r / q rounded, give or take one; 9q · 29_235 < 2^31.
        r &-= q &* ((r &* 29_235 &+ (1 << 26)) >> 27)
        r &-= q & ConstantTime.negativeMask(q12 &- r)
        r &+= q & ConstantTime.negativeMask(r &+ q12)
        return Int16(truncatingIfNeeded: r)
    }

    /// 1/a in Fq (a ≠ 0): a^(q−2).
    static func reciprocalQ(_ a: Int16) -> Int16 {
        var result: Int16 = a
        for _ in 1..<(Int(q) - 2) { result = freezeQ(Int32(a) &* Int32(result)) }
        return result
    }

    // MARK: Products

    /// h = f·g in R/q, g small.
    static func multiply(_ f: [Int16], small g: [Int8]) -> [Int16] {
        product(f.map(Int32.init), g).map(freezeQ)
    }

    /// h = f·g in R/3.
    static func multiply3(_ f: [Int8], _ g: [Int8]) -> [Int8] {
        product(f.map(Int32.init), g).map(freeze3)
    }

    /// f·g modulo x^p − x − 1, coefficients not yet reduced (at most 3·p·max|f| in size).
    private static func product(_ f: [Int32], _ g: [Int8]) -> [Int32] {
        var product = [Int32](repeating: 0, count: 2 * p - 1)
        f.withUnsafeBufferPointer { f in
            g.withUnsafeBufferPointer { g in
                product.withUnsafeMutableBufferPointer { out in
                    for i in 0..<p {
                        let fi = f[i]
                        for j in 0..<p { out[i + j] &+= fi &* Int32(g[j]) }
                    }
                }
            }
        }
        reduceModuloRingPolynomial(&product)
        return Array(product[0..<p])
    }

    /// Folds the coefficients of x^p … x^(2p−2) down with x^p = x + 1.
    private static func reduceModuloRingPolynomial(_ product: inout [Int32]) {
        var i = 2 * p - 2
        while i >= p {
            product[i - p] &+= product[i]
            product[i - p + 1] &+= product[i]
            i -= 1
        }
    }

    // MARK: Reciprocals

    /// 1/g in R/3, or nil when g is not invertible there.
    static func reciprocal3(_ g: [Int8]) -> [Int8]? {
        var inverse = [Int8](repeating: 0, count: p)
        let delta = divsteps(g, rStart: Int8(1)) { f, h, v, r in
            let sign = Int8(truncatingIfNeeded: -Int32(h[0]) &* Int32(f[0]))
            for i in 0...p {
                h[i] = smallFreeze3(h[i] &+ sign &* f[i])
                r[i] = smallFreeze3(r[i] &+ sign &* v[i])
            }
        } finish: { f, v in
            for i in 0..<p { inverse[i] = f[0] &* v[p - 1 - i] }
        }
        return delta == 0 ? inverse : nil
    }

    /// 1/(3f) in R/q for a small f, or nil when there is none (never for a short f).
    static func reciprocalOfThreeTimes(_ g: [Int8]) -> [Int16]? {
        var inverse = [Int16](repeating: 0, count: p)
        let delta = divsteps(g, rStart: reciprocalQ(3)) { f, h, v, r in
            let f0 = Int32(f[0])
            let h0 = Int32(h[0])
            for i in 0...p {
                h[i] = freezeQSmall(f0 &* Int32(h[i]) &- h0 &* Int32(f[i]))
                r[i] = freezeQSmall(f0 &* Int32(r[i]) &- h0 &* Int32(v[i]))
            }
        } finish: { f, v in
            let scale = Int32(reciprocalQ(f[0]))
            for i in 0..<p { inverse[i] = freezeQ(scale &* Int32(v[p - 1 - i])) }
        }
        return delta == 0 ? inverse : nil
    }

    /// The constant-time divstep algorithm of Bernstein and Yang that both reciprocals run: f starts
    /// as x^p − x − 1 and h as the input reversed, v as 0 and r as `rStart`. Each of the 2p − 1 steps,
    /// whatever the input, shifts v up, swaps (f, v) with (h, r) when δ > 0 and h's constant term is
    /// not 0, lets `eliminate` clear that term (and update r alike), and shifts h down. `finish` gets
    /// f and v; the result is δ, 0 when the input was invertible.
    @inline(__always)
    private static func divsteps<T: FixedWidthInteger & SignedInteger>(
        _ g: [Int8], rStart: T,
        eliminate: (_ f: UnsafeMutablePointer<T>, _ h: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>,
            _ r: UnsafeMutablePointer<T>) -> Void,
        finish: (_ f: UnsafeMutablePointer<T>, _ v: UnsafeMutablePointer<T>) -> Void
    ) -> Int32 {
        let n = p + 1
        var storage = [T](repeating: 0, count: 4 * n)
        var delta: Int32 = 1
        storage.withUnsafeMutableBufferPointer { buffer in
            let f = buffer.baseAddress!
            let h = f + n
            let v = f + 2 * n
            let r = f + 3 * n
            r[0] = rStart
            f[0] = 1
            f[p - 1] = -1
            f[p] = -1
            for i in 0..<p { h[p - 1 - i] = T(g[i]) }
            for _ in 0..<(2 * p - 1) {
                UnsafeMutableRawPointer(v + 1).copyMemory(from: v, byteCount: p * MemoryLayout<T>.stride)
                v[0] = 0
                let swap = ConstantTime.negativeMask(-delta) & ConstantTime.nonzeroMask(Int32(h[0]))
                delta ^= swap & (delta ^ -delta)
                delta &+= 1
                let mask = T(truncatingIfNeeded: swap)
                for i in 0..<n {
                    let t = mask & (f[i] ^ h[i])
                    f[i] ^= t
                    h[i] ^= t
                    let u = mask & (v[i] ^ r[i])
                    v[i] ^= u
                    r[i] ^= u
                }
                eliminate(f, h, v, r)
                UnsafeMutableRawPointer(h).copyMemory(from: h + 1, byteCount: p * MemoryLayout<T>.stride)
                h[p] = 0
            }
            finish(f, v)
        }
        return ConstantTime.nonzeroMask(delta)
    }

    /// `x` in −2…2 modulo 3, as −1, 0 or 1.
    @inline(__always)
    private static func smallFreeze3(_ x: Int8) -> Int8 {
        var r = x
        r &-= 3 & ((1 &- r) >> 7)
        r &+= 3 & ((r &+ 1) >> 7)
        return r
    }

    // MARK: Small polynomials

    /// Each coefficient of an Fq polynomial rounded to the nearest multiple of 3.
    static func round(_ a: [Int16]) -> [Int16] {
        a.map { $0 &- Int16(freeze3(Int32($0))) }
    }

    /// 0 when exactly w coefficients are nonzero, else −1.
    static func weightMask(_ r: [Int8]) -> Int32 {
        var weight: Int32 = 0
        for c in r { weight &+= Int32(c & 1) }
        return ConstantTime.nonzeroMask(weight &- Int32(w))
    }

    /// A short polynomial (exactly w coefficients ±1, the rest 0) from p random 32-bit words:
    /// the words, tagged, are sorted, so the positions follow the random bits.
    static func short(fromRandom words: [UInt32]) -> [Int8] {
        var list = [Int32](repeating: 0, count: p)
        for i in 0..<w { list[i] = Int32(bitPattern: words[i] & ~1) }
        for i in w..<p { list[i] = Int32(bitPattern: (words[i] & ~3) | 1) }
        // Sorting the words as unsigned: flip the sign bit around a signed sort.
        for i in 0..<p { list[i] ^= Int32(bitPattern: 0x8000_0000) }
        ConstantTime.sort(&list)
        return list.map { Int8(truncatingIfNeeded: (UInt32(bitPattern: $0) & 3)) &- 1 }
    }

    /// A small polynomial from p random 32-bit words, each coefficient −1, 0 or 1.
    static func small(fromRandom words: [UInt32]) -> [Int8] {
        words.map { Int8(truncatingIfNeeded: ((($0 & 0x3fff_ffff) &* 3) >> 30)) &- 1 }
    }
}
