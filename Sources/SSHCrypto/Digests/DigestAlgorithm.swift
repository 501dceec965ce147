import COpenSSL

/// The hash functions SSH uses: for exchange hashes (RFC 4253 §8, RFC 5656 §4, RFC 8731),
/// HMACs (RFC 4253 §6.4, RFC 6668), signatures and fingerprints.
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable {
    case md5 = "MD5"
    case sha1 = "SHA1"
    case sha256 = "SHA256"
    case sha384 = "SHA384"
    case sha512 = "SHA512"

    /// The digest length in bytes.
    public var outputLength: Int {
        switch self {
        case .md5: 16
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        }
    }

    /// The internal block length in bytes.
    public var blockLength: Int {
        switch self {
        case .md5, .sha1, .sha256: 64
        case .sha384, .sha512: 128
        }
    }

    func evp() throws(CryptoError) -> OpaquePointer {
        switch self {
        case .md5: try AlgorithmCache.md5.require(rawValue)
        case .sha1: try AlgorithmCache.sha1.require(rawValue)
        case .sha256: try AlgorithmCache.sha256.require(rawValue)
        case .sha384: try AlgorithmCache.sha384.require(rawValue)
        case .sha512: try AlgorithmCache.sha512.require(rawValue)
        }
    }

    /// The digest of `data` in one call.
    public func hash(_ data: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        var hasher = try DigestHasher(self)
        hasher.update(data)
        return try hasher.finalize()
    }
}
