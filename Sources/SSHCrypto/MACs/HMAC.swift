/// HMAC (RFC 2104) with a fixed key, for uses outside the packet protocol: hashed
/// known_hosts names (HMAC-SHA1), key derivation checks, tests against RFC 4231.
public final class HMAC {
    private let context: HMACContext
    /// The hash this HMAC is built on.
    public let digest: DigestAlgorithm

    /// Keys an HMAC over `digest`.
    public init(digest: DigestAlgorithm, key: some Collection<UInt8>) throws(CryptoError) {
        self.digest = digest
        let keyBytes = SecureBytes(key)
        context = try keyBytes.withUnsafeBytes { bytes throws(CryptoError) in
            try HMACContext(digest: digest, key: bytes)
        }
    }

    /// The MAC of `message`.
    public func authenticate(_ message: some Collection<UInt8>) throws(CryptoError) -> [UInt8] {
        let data = Array(message)
        var output = [UInt8](repeating: 0, count: digest.outputLength)
        try data.withBytes { bytes throws(CryptoError) in
            try output.withMutableBytes { out throws(CryptoError) in
                try context.authenticate(
                    sequenceNumber: nil, bytes, into: out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return output
    }
}
