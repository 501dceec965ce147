import COpenSSL

/// The SHA-3 family (FIPS 202) as ML-KEM uses it: SHA3-256, SHA3-512 and the SHAKE128 and
/// SHAKE256 extendable-output functions, from libcrypto.
enum Keccak {
    /// SHA3-256 of the concatenated parts.
    static func sha3_256(_ parts: [UInt8]...) throws(CryptoError) -> [UInt8] {
        try digest(AlgorithmCache.sha3_256.require("SHA3-256"), parts, length: 32, extendable: false)
    }

    /// SHA3-512 of the concatenated parts.
    static func sha3_512(_ parts: [UInt8]...) throws(CryptoError) -> [UInt8] {
        try digest(AlgorithmCache.sha3_512.require("SHA3-512"), parts, length: 64, extendable: false)
    }

    /// The first `length` bytes of SHAKE128 of the concatenated parts.
    static func shake128(_ parts: [UInt8]..., length: Int) throws(CryptoError) -> [UInt8] {
        try digest(AlgorithmCache.shake128.require("SHAKE128"), parts, length: length, extendable: true)
    }

    /// The first `length` bytes of SHAKE256 of the concatenated parts.
    static func shake256(_ parts: [UInt8]..., length: Int) throws(CryptoError) -> [UInt8] {
        try digest(AlgorithmCache.shake256.require("SHAKE256"), parts, length: length, extendable: true)
    }

    private static func digest(_ md: OpaquePointer, _ parts: [[UInt8]], length: Int, extendable: Bool)
        throws(CryptoError) -> [UInt8]
    {
        let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        defer { EVP_MD_CTX_free(context) }
        try check(EVP_DigestInit_ex2(context, md, nil), "EVP_DigestInit_ex2")
        for part in parts where !part.isEmpty {
            try check(part.withUnsafeBytes { EVP_DigestUpdate(context, $0.baseAddress, $0.count) }, "EVP_DigestUpdate")
        }
        var output = [UInt8](repeating: 0, count: length)
        if extendable {
            try check(output.withUnsafeMutableBufferPointer { EVP_DigestFinalXOF(context, $0.baseAddress, length) }, "EVP_DigestFinalXOF")
        } else {
            var written: UInt32 = 0
            try check(output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &written) }, "EVP_DigestFinal_ex")
        }
        return output
    }
}
