/// The byte encodings of sntrup761 (NTRU Prime, round 3 specification §4.3): a sequence of
/// integers 0 ≤ R[i] < M[i] packed by pairing neighbours into one radix-M[i]·M[i+1] digit
/// and emitting low bytes while the combined radix exceeds 2^14, recursively; and small
/// polynomials packed four coefficients to a byte.
enum Sntrup761Encoding {
    private typealias P = Sntrup761Polynomials

    /// Bytes of an encoded public polynomial (R/q, radix q).
    static let publicKeyPolynomialBytes = 1158
    /// Bytes of an encoded rounded polynomial (radix (q + 2) / 3).
    static let roundedBytes = 1007
    /// Bytes of an encoded small polynomial.
    static let smallBytes = (P.p + 3) / 4

    // MARK: Radix packing

    /// Packs `values`, each below its radix in `radices` (all below 2^14).
    static func encode(_ values: [UInt16], radices: [UInt16], into out: inout [UInt8]) {
        let count = values.count
        if count == 1 {
            var value = values[0]
            var radix = radices[0]
            while radix > 1 {
                out.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
                radix = (radix + 255) >> 8
            }
            return
        }
        guard count > 1 else { return }
        var pairedValues: [UInt16] = []
        var pairedRadices: [UInt16] = []
        pairedValues.reserveCapacity((count + 1) / 2)
        pairedRadices.reserveCapacity((count + 1) / 2)
        var i = 0
        while i < count - 1 {
            let low = UInt32(radices[i])
            var value = UInt32(values[i]) + UInt32(values[i + 1]) * low
            var radix = UInt32(radices[i + 1]) * low
            while radix >= 16384 {
                out.append(UInt8(truncatingIfNeeded: value))
                value >>= 8
                radix = (radix + 255) >> 8
            }
            pairedValues.append(UInt16(truncatingIfNeeded: value))
            pairedRadices.append(UInt16(truncatingIfNeeded: radix))
            i += 2
        }
        if i < count {
            pairedValues.append(values[i])
            pairedRadices.append(radices[i])
        }
        encode(pairedValues, radices: pairedRadices, into: &out)
    }

    /// Unpacks as many values as `radices` has from `bytes` starting at `start`; each value comes
    /// out below its radix whatever the bytes are. Bytes past the end read as 0 (callers check
    /// the length first).
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, radices: [UInt16]) -> [UInt16] {
        let count = radices.count
        @inline(__always) func byte(_ index: Int) -> UInt32 { index < bytes.count ? UInt32(bytes[index]) : 0 }
        if count == 1 {
            let radix = radices[0]
            if radix == 1 { return [0] }
            if radix <= 256 { return [ConstantTime.remainder(byte(start), radix)] }
            return [ConstantTime.remainder(byte(start) + (byte(start + 1) << 8), radix)]
        }
        guard count > 1 else { return [] }
        var position = start
        var bottomValues: [UInt32] = []
        var bottomScales: [UInt32] = []
        var pairedRadices: [UInt16] = []
        var i = 0
        while i < count - 1 {
            let radix = UInt32(radices[i]) * UInt32(radices[i + 1])
            if radix > 256 * 16383 {
                bottomScales.append(256 * 256)
                bottomValues.append(byte(position) + 256 * byte(position + 1))
                position += 2
                pairedRadices.append(UInt16(truncatingIfNeeded: (((radix + 255) >> 8) + 255) >> 8))
            } else if radix >= 16384 {
                bottomScales.append(256)
                bottomValues.append(byte(position))
                position += 1
                pairedRadices.append(UInt16(truncatingIfNeeded: (radix + 255) >> 8))
            } else {
                bottomScales.append(1)
                bottomValues.append(0)
                pairedRadices.append(UInt16(truncatingIfNeeded: radix))
            }
            i += 2
        }
        if i < count { pairedRadices.append(radices[i]) }
        let paired = decode(bytes, from: position, radices: pairedRadices)
        var out: [UInt16] = []
        out.reserveCapacity(count)
        i = 0
        while i < count - 1 {
            let combined = bottomValues[i / 2] &+ bottomScales[i / 2] &* UInt32(paired[i / 2])
            let (high, low) = ConstantTime.divide(combined, radices[i])
            out.append(low)
            // Reduced again only for bytes no encoder wrote.
            out.append(ConstantTime.remainder(high, radices[i + 1]))
            i += 2
        }
        if i < count { out.append(paired[i / 2]) }
        return out
    }

    // MARK: Polynomials

    /// A public polynomial in R/q.
    static func encodePublic(_ h: [Int16]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(publicKeyPolynomialBytes)
        encode(h.map { UInt16(truncatingIfNeeded: Int32($0) + P.q12) }, radices: Array(repeating: UInt16(P.q), count: P.p), into: &out)
        return out
    }

    static func decodePublic(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int16] {
        decode(bytes, from: 0, radices: Array(repeating: UInt16(P.q), count: P.p)).map {
            Int16(truncatingIfNeeded: Int32($0) - P.q12)
        }
    }

    /// A rounded polynomial (every coefficient a multiple of 3), as its coefficients divided by 3.
    static func encodeRounded(_ c: [Int16]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(roundedBytes)
        let values = c.map { UInt16(truncatingIfNeeded: ((Int32($0) + P.q12) * 10923) >> 15) }
        encode(values, radices: Array(repeating: UInt16((P.q + 2) / 3), count: P.p), into: &out)
        return out
    }

    static func decodeRounded(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int16] {
        decode(bytes, from: 0, radices: Array(repeating: UInt16((P.q + 2) / 3), count: P.p)).map {
            Int16(truncatingIfNeeded: Int32($0) * 3 - P.q12)
        }
    }

    /// A small polynomial, coefficient + 1 in two bits each, four to a byte.
    static func encodeSmall(_ f: [Int8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: smallBytes)
        for i in 0..<(P.p / 4) {
            var x = UInt8(bitPattern: f[4 * i] &+ 1)
            x &+= UInt8(bitPattern: f[4 * i + 1] &+ 1) << 2
            x &+= UInt8(bitPattern: f[4 * i + 2] &+ 1) << 4
            x &+= UInt8(bitPattern: f[4 * i + 3] &+ 1) << 6
            out[i] = x
        }
        out[P.p / 4] = UInt8(bitPattern: f[P.p - 1] &+ 1)
        return out
    }

    static func decodeSmall(_ bytes: UnsafeBufferPointer<UInt8>) -> [Int8] {
        var f = [Int8](repeating: 0, count: P.p)
        for i in 0..<(P.p / 4) {
            var x = bytes[i]
            for k in 0..<4 {
                f[4 * i + k] = Int8(x & 3) &- 1
                x >>= 2
            }
        }
        f[P.p - 1] = Int8(bytes[P.p / 4] & 3) &- 1
        return f
    }
}
