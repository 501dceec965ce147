/// Polynomials of ML-KEM (FIPS 203 §4.3): 256 coefficients modulo q = 3329, in the ring
/// Z_q[X]/(X^256 + 1) or in its number-theoretic transform (NTT) domain. Coefficients are kept in
/// 0..<q; arithmetic on secret coefficients uses no data-dependent branch or division.
struct MLKEMPolynomial: Equatable {
    static let q: UInt32 = 3329
    var coefficients: [UInt16]

    init(_ coefficients: [UInt16] = [UInt16](repeating: 0, count: 256)) {
        self.coefficients = coefficients
    }

    // MARK: Arithmetic modulo q

    /// `x` mod q for any UInt32 (Barrett with 2^32 / q, then one conditional subtraction).
    @inline(__always)
    static func reduce(_ x: UInt32) -> UInt16 {
        let t = UInt32(truncatingIfNeeded: (UInt64(x) &* 1_290_167) >> 32)
        return subtractQIfAtLeastQ(x &- t &* q)
    }

    /// `x` − q when q ≤ x < 2q, else `x`.
    @inline(__always)
    static func subtractQIfAtLeastQ(_ x: UInt32) -> UInt16 {
        let r = x &- q
        let mask = 0 &- (r >> 31)  // all ones when x < q
        return UInt16(truncatingIfNeeded: r &+ (mask & q))
    }

    static func + (a: Self, b: Self) -> Self {
        Self((0..<256).map { subtractQIfAtLeastQ(UInt32(a.coefficients[$0]) + UInt32(b.coefficients[$0])) })
    }

    static func - (a: Self, b: Self) -> Self {
        Self((0..<256).map { subtractQIfAtLeastQ(UInt32(a.coefficients[$0]) + q - UInt32(b.coefficients[$0])) })
    }

    // MARK: NTT (FIPS 203 §4.3, Algorithms 9–12)

    /// ζ^BitRev7(i) mod q, ζ = 17.
    static let zetas: [UInt16] = (0..<128).map { power(17, bitReverse7($0)) }
    /// ζ^(2·BitRev7(i) + 1) mod q, the moduli of the 128 degree-2 factors.
    static let gammas: [UInt16] = (0..<128).map { power(17, 2 * bitReverse7($0) + 1) }

    private static func bitReverse7(_ i: Int) -> Int {
        var r = 0
        for bit in 0..<7 where i & (1 << bit) != 0 { r |= 1 << (6 - bit) }
        return r
    }

    private static func power(_ base: UInt32, _ exponent: Int) -> UInt16 {
        var result: UInt32 = 1
        for _ in 0..<exponent { result = result * base % q }
        return UInt16(result)
    }

    /// The NTT of this polynomial (Algorithm 9).
    func ntt() -> Self {
        var f = coefficients.map(UInt32.init)
        var i = 1
        var length = 128
        while length >= 2 {
            var start = 0
            while start < 256 {
                let zeta = UInt32(Self.zetas[i])
                i += 1
                for j in start..<(start + length) {
                    let t = UInt32(Self.reduce(zeta * f[j + length]))
                    f[j + length] = UInt32(Self.subtractQIfAtLeastQ(f[j] + Self.q - t))
                    f[j] = UInt32(Self.subtractQIfAtLeastQ(f[j] + t))
                }
                start += 2 * length
            }
            length /= 2
        }
        return Self(f.map { UInt16($0) })
    }

    /// The polynomial whose NTT this is (Algorithm 10).
    func inverseNTT() -> Self {
        var f = coefficients.map(UInt32.init)
        var i = 127
        var length = 2
        while length <= 128 {
            var start = 0
            while start < 256 {
                let zeta = UInt32(Self.zetas[i])
                i -= 1
                for j in start..<(start + length) {
                    let t = f[j]
                    f[j] = UInt32(Self.subtractQIfAtLeastQ(t + f[j + length]))
                    f[j + length] = UInt32(Self.reduce(zeta * (f[j + length] + Self.q - t)))
                }
                start += 2 * length
            }
            length *= 2
        }
        // 3303 = 128^-1 mod q.
        return Self(f.map { Self.reduce($0 * 3303) })
    }

    /// The product of two NTT-domain polynomials (Algorithms 11 and 12).
    func multiplyNTT(_ other: Self) -> Self {
        var h = [UInt16](repeating: 0, count: 256)
        for i in 0..<128 {
            let a0 = UInt32(coefficients[2 * i])
            let a1 = UInt32(coefficients[2 * i + 1])
            let b0 = UInt32(other.coefficients[2 * i])
            let b1 = UInt32(other.coefficients[2 * i + 1])
            let a1b1 = UInt32(Self.reduce(a1 * b1))
            h[2 * i] = Self.reduce(a0 * b0 + UInt32(Self.reduce(a1b1 * UInt32(Self.gammas[i]))))
            h[2 * i + 1] = Self.reduce(a0 * b1 + a1 * b0)
        }
        return Self(h)
    }

    // MARK: Sampling (Algorithms 7 and 8)

    /// A uniform NTT-domain polynomial from SHAKE128(ρ ‖ j ‖ i) by rejection (SampleNTT); ρ is public.
    static func sampleNTT(seed: [UInt8], _ j: UInt8, _ i: UInt8) throws(CryptoError) -> Self {
        var length = 168 * 5
        while true {
            let stream = try Keccak.shake128(seed, [j, i], length: length)
            var a: [UInt16] = []
            a.reserveCapacity(256)
            var position = 0
            while a.count < 256, position + 3 <= stream.count {
                let c0 = UInt16(stream[position])
                let c1 = UInt16(stream[position + 1])
                let c2 = UInt16(stream[position + 2])
                position += 3
                let d1 = c0 + 256 * (c1 & 15)
                let d2 = (c1 >> 4) + 16 * c2
                if d1 < q { a.append(d1) }
                if d2 < q, a.count < 256 { a.append(d2) }
            }
            if a.count == 256 { return Self(a) }
            // A longer squeeze starts with the same bytes.
            length *= 2
        }
    }

    /// A polynomial with coefficients from the centred binomial distribution of parameter η,
    /// from 64η bytes (SamplePolyCBD).
    static func sampleCBD(_ bytes: [UInt8], eta: Int) -> Self {
        var f = [UInt16](repeating: 0, count: 256)
        @inline(__always) func bit(_ index: Int) -> UInt32 { UInt32(bytes[index >> 3] >> (index & 7)) & 1 }
        for i in 0..<256 {
            var x: UInt32 = 0
            var y: UInt32 = 0
            for j in 0..<eta {
                x += bit(2 * i * eta + j)
                y += bit(2 * i * eta + eta + j)
            }
            f[i] = subtractQIfAtLeastQ(x + q - y)
        }
        return Self(f)
    }

    // MARK: Compression and encoding (§4.2.1, Algorithms 5 and 6)

    /// Compress_d of every coefficient: round(2^d · x / q) mod 2^d.
    func compressed(_ d: Int) -> [UInt16] {
        coefficients.map { x in
            let (quotient, _) = ConstantTime.divide((UInt32(x) << d) + 1664, UInt16(Self.q))
            return UInt16(truncatingIfNeeded: quotient & ((1 << d) - 1))
        }
    }

    /// Decompress_d of each value: round(q · y / 2^d).
    static func decompressed(_ values: [UInt16], _ d: Int) -> Self {
        Self(values.map { UInt16((UInt32($0) * q + (1 << (d - 1))) >> d) })
    }

    /// ByteEncode_d: each value's d low bits, little-endian, one after another (32·d bytes).
    static func encode(_ values: [UInt16], bits d: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32 * d)
        var bitPosition = 0
        for value in values {
            var v = UInt32(value)
            for _ in 0..<d {
                out[bitPosition >> 3] |= UInt8(v & 1) << (bitPosition & 7)
                v >>= 1
                bitPosition += 1
            }
        }
        return out
    }

    /// ByteDecode_d: 256 values of d bits each from 32·d bytes.
    static func decode(_ bytes: ArraySlice<UInt8>, bits d: Int) -> [UInt16] {
        let base = bytes.startIndex
        var values = [UInt16](repeating: 0, count: 256)
        var bitPosition = 0
        for i in 0..<256 {
            var v: UInt16 = 0
            for k in 0..<d {
                let bit = UInt16(bytes[base + (bitPosition >> 3)] >> (bitPosition & 7)) & 1
                v |= bit << k
                bitPosition += 1
            }
            values[i] = v
        }
        return values
    }
}
