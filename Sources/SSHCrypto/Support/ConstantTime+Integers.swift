/// Branch-free integer masks, division and a sorting network, for code that handles secrets: no comparison
/// of secret values ever decides a branch or an index.
extension ConstantTime {
    /// -1 when `x` is not zero, else 0.
    @inline(__always)
    static func nonzeroMask(_ x: Int32) -> Int32 {
        let u = UInt32(bitPattern: x)
        return Int32(bitPattern: 0 &- ((u | (0 &- u)) >> 31))
    }

    /// -1 when `x` is negative, else 0.
    @inline(__always)
    static func negativeMask(_ x: Int32) -> Int32 { x >> 31 }

    /// Puts the smaller of the values at `i` and `j` at `i` and the larger at `j`.
    @inline(__always)
    static func minMax(_ x: UnsafeMutablePointer<Int32>, _ i: Int, _ j: Int) {
        let a = x[i]
        let b = x[j]
        let ab = b ^ a
        var c = Int32(truncatingIfNeeded: Int64(b) - Int64(a))
        c ^= ab & (c ^ b)
        c >>= 31
        c &= ab
        x[i] = a ^ c
        x[j] = b ^ c
    }

    /// Sorts `values` ascending with a fixed network of compare-and-swap steps (djbsort's
    /// portable network): which elements are compared depends only on the count.
    static func sort(_ values: inout [Int32]) {
        let n = values.count
        guard n >= 2 else { return }
        values.withUnsafeMutableBufferPointer { buffer in
            let x = buffer.baseAddress!
            var top = 1
            while top < n - top { top += top }
            var p = top
            while p >= 1 {
                var i = 0
                while i + 2 * p <= n {
                    for j in i..<(i + p) { minMax(x, j, j + p) }
                    i += 2 * p
                }
                var j = i
                while j < n - p {
                    minMax(x, j, j + p)
                    j += 1
                }
                i = 0
                j = 0
                var q = top
                while q > p {
                    var finished = false
                    if j != i {
                        while true {
                            if j == n - q {
                                finished = true
                                break
                            }
                            mergeStep(x, at: j, p: p, q: q)
                            j += 1
                            if j == i + p {
                                i += 2 * p
                                break
                            }
                        }
                    }
                    if !finished {
                        while i + p <= n - q {
                            for k in i..<(i + p) { mergeStep(x, at: k, p: p, q: q) }
                            i += 2 * p
                        }
                        j = i
                        while j < n - q {
                            mergeStep(x, at: j, p: p, q: q)
                            j += 1
                        }
                    }
                    q >>= 1
                }
                p >>= 1
            }
        }
    }

    @inline(__always)
    private static func mergeStep(_ x: UnsafeMutablePointer<Int32>, at j: Int, p: Int, q: Int) {
        var r = q
        while r > p {
            minMax(x, j + p, j + r)
            r >>= 1
        }
    }
}

/// Division by a small public divisor without a division instruction on the dividend, whose
/// time could depend on it (NTRU Prime's uint32_divmod_uint14).
extension ConstantTime {
    /// 0xFF when `a` and `b` (of one length) differ anywhere, else 0, in time that depends on the
    /// length only: a KEM's re-encryption check.
    static func mismatchMask(_ a: [UInt8], _ b: [UInt8]) -> UInt8 {
        var difference: UInt8 = 0
        for i in 0..<min(a.count, b.count) { difference |= a[i] ^ b[i] }
        return UInt8(truncatingIfNeeded: 0 &- ((UInt32(difference) &+ 0xFF) >> 8))
    }

    /// `b` where `mask` is 0xFF, `a` where it is 0 (byte by byte, `a` and `b` of one length).
    static func select(_ mask: UInt8, _ a: [UInt8], _ b: some Collection<UInt8>) -> [UInt8] {
        zip(a, b).map { $0 ^ (mask & ($0 ^ $1)) }
    }

    /// (x / m, x % m) for 0 < m < 16384.
    @inline(__always)
    static func divide(_ x: UInt32, _ m: UInt16) -> (UInt32, UInt16) {
        let divisor = UInt32(m)
        let v = UInt32(0x8000_0000) / divisor
        var x = x
        var quotient = UInt32(truncatingIfNeeded: (UInt64(x) * UInt64(v)) >> 31)
        x &-= quotient &* divisor
        let part = UInt32(truncatingIfNeeded: (UInt64(x) * UInt64(v)) >> 31)
        x &-= part &* divisor
        quotient &+= part
        x &-= divisor
        quotient &+= 1
        let mask = 0 &- (x >> 31)
        x &+= mask & divisor
        quotient &+= mask
        return (quotient, UInt16(truncatingIfNeeded: x))
    }

    @inline(__always)
    static func remainder(_ x: UInt32, _ m: UInt16) -> UInt16 { divide(x, m).1 }
}
