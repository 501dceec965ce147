import COpenSSL

/// libcrypto algorithm objects fetched once per process. Fetched `EVP_MD` and `EVP_CIPHER`
/// objects are immutable and safe to share between threads.
struct FetchedAlgorithm: @unchecked Sendable {
    let pointer: OpaquePointer
}

enum AlgorithmCache {
    static let sha1 = fetchDigest("SHA1")
    static let sha256 = fetchDigest("SHA256")
    static let sha384 = fetchDigest("SHA384")
    static let sha512 = fetchDigest("SHA512")
    static let md5 = fetchDigest("MD5")
    static let sha3_256 = fetchDigest("SHA3-256")
    static let sha3_512 = fetchDigest("SHA3-512")
    static let shake128 = fetchDigest("SHAKE128")
    static let shake256 = fetchDigest("SHAKE256")
    static let blake2b512 = fetchDigest("BLAKE2B-512")

    static let aes128ECB = fetchCipher("AES-128-ECB")
    static let aes128GCM = fetchCipher("AES-128-GCM")
    static let aes256GCM = fetchCipher("AES-256-GCM")
    static let aes128CTR = fetchCipher("AES-128-CTR")
    static let aes192CTR = fetchCipher("AES-192-CTR")
    static let aes256CTR = fetchCipher("AES-256-CTR")
    static let aes128CBC = fetchCipher("AES-128-CBC")
    static let aes192CBC = fetchCipher("AES-192-CBC")
    static let aes256CBC = fetchCipher("AES-256-CBC")
    static let tripleDESCBC = fetchCipher("DES-EDE3-CBC")
    static let chacha20 = fetchCipher("ChaCha20")

    static let hmac = fetchMAC("HMAC")
    static let poly1305 = fetchMAC("POLY1305")

    private static func fetchDigest(_ name: String) -> FetchedAlgorithm? {
        EVP_MD_fetch(nil, name, nil).map(FetchedAlgorithm.init)
    }

    private static func fetchCipher(_ name: String) -> FetchedAlgorithm? {
        EVP_CIPHER_fetch(nil, name, nil).map(FetchedAlgorithm.init)
    }

    private static func fetchMAC(_ name: String) -> FetchedAlgorithm? {
        EVP_MAC_fetch(nil, name, nil).map(FetchedAlgorithm.init)
    }
}

extension Optional where Wrapped == FetchedAlgorithm {
    /// The fetched algorithm, or `.unsupportedAlgorithm` when this libcrypto lacks it.
    func require(_ name: String) throws(CryptoError) -> OpaquePointer {
        guard let self else {
            throw CryptoError(.unsupportedAlgorithm, "libcrypto does not provide \(name)")
        }
        return self.pointer
    }
}
