import COpenSSL

/// BLAKE2b (RFC 7693) as Argon2 (RFC 9106 §3.1) uses it: unkeyed, with any digest length from 1 to
/// 64 bytes.
///
/// The 64-byte digest comes from libcrypto's `BLAKE2B-512`. libcrypto 3.0 has no other unkeyed
/// length (its `BLAKE2BMAC` insists on a key, and the digest's `size` parameter arrived in 3.2), yet
/// a shorter digest is not a truncation of the 64-byte one: the length is in the parameter block.
/// So the other lengths, which Argon2 needs only once per derivation (for the tail of its tag),
/// come from the small RFC 7693 implementation below.
enum Blake2b {
    static let maximumOutputLength = 64
    private static let blockLength = 128

    private static let iv: [UInt64] = [
        0x6a09_e667_f3bc_c908, 0xbb67_ae85_84ca_a73b, 0x3c6e_f372_fe94_f82b, 0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1, 0x9b05_688c_2b3e_6c1f, 0x1f83_d9ab_fb41_bd6b, 0x5be0_cd19_137e_2179,
    ]

    private static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    /// The `outputLength`-byte BLAKE2b digest of the concatenated `parts`.
    static func hash(_ parts: [[UInt8]], outputLength: Int) throws(CryptoError) -> [UInt8] {
        precondition((1...maximumOutputLength).contains(outputLength), "BLAKE2b output length")
        if outputLength == maximumOutputLength { return try hash512(parts) }
        return portableHash(parts.flatMap { $0 }, outputLength: outputLength)
    }

    /// BLAKE2b-512 through libcrypto.
    private static func hash512(_ parts: [[UInt8]]) throws(CryptoError) -> [UInt8] {
        let algorithm = try AlgorithmCache.blake2b512.require("BLAKE2B-512")
        let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        defer { EVP_MD_CTX_free(context) }
        try check(EVP_DigestInit_ex2(context, algorithm, nil), "EVP_DigestInit_ex2")
        for part in parts where !part.isEmpty {
            try check(part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }, "EVP_DigestUpdate")
        }
        var output = [UInt8](repeating: 0, count: maximumOutputLength)
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        try check(status, "EVP_DigestFinal_ex")
        return output
    }

    /// RFC 7693 §3.3 with no key, for the digest lengths libcrypto 3.0 lacks.
    static func portableHash(_ message: [UInt8], outputLength: Int) -> [UInt8] {
        var h = iv
        h[0] ^= 0x0101_0000 ^ UInt64(outputLength)
        var offset = 0
        var block = [UInt64](repeating: 0, count: 16)
        repeat {
            let chunk = min(blockLength, message.count - offset)
            let last = offset + chunk == message.count
            for index in 0..<16 { block[index] = 0 }
            for index in 0..<chunk {
                block[index / 8] |= UInt64(message[offset + index]) << (UInt64(index % 8) * 8)
            }
            offset += chunk
            compress(&h, block, counter: UInt64(offset), last: last)
            if last { break }
        } while true
        var output: [UInt8] = []
        output.reserveCapacity(64)
        for word in h {
            for shift in stride(from: 0, to: 64, by: 8) {
                output.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        for index in block.indices { block[index] = 0 }
        return Array(output.prefix(outputLength))
    }

    private static func compress(_ h: inout [UInt64], _ m: [UInt64], counter: UInt64, last: Bool) {
        var v = h + iv
        v[12] ^= counter
        if last { v[14] = ~v[14] }
        func mix(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
            v[a] = v[a] &+ v[b] &+ x
            v[d] = (v[d] ^ v[a]).rotatedRight(32)
            v[c] = v[c] &+ v[d]
            v[b] = (v[b] ^ v[c]).rotatedRight(24)
            v[a] = v[a] &+ v[b] &+ y
            v[d] = (v[d] ^ v[a]).rotatedRight(16)
            v[c] = v[c] &+ v[d]
            v[b] = (v[b] ^ v[c]).rotatedRight(63)
        }
        for round in 0..<12 {
            let s = sigma[round % 10]
            mix(0, 4, 8, 12, m[s[0]], m[s[1]])
            mix(1, 5, 9, 13, m[s[2]], m[s[3]])
            mix(2, 6, 10, 14, m[s[4]], m[s[5]])
            mix(3, 7, 11, 15, m[s[6]], m[s[7]])
            mix(0, 5, 10, 15, m[s[8]], m[s[9]])
            mix(1, 6, 11, 12, m[s[10]], m[s[11]])
            mix(2, 7, 8, 13, m[s[12]], m[s[13]])
            mix(3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        for index in 0..<8 { h[index] ^= v[index] ^ v[index + 8] }
    }
}

extension UInt64 {
    @inline(__always)
    func rotatedRight(_ count: UInt64) -> UInt64 { (self >> count) | (self << (64 - count)) }
}
