/// UMAC (RFC 4418) with AES-128 and a fixed 16-byte key, for uses outside the packet protocol
/// and for the RFC's test vectors (Appendix): `Tag = UHASH(K, M) xor PDF(K, Nonce)` (§4).
///
/// The key schedule (KDF, §3.2) runs once in `init`; each tag then costs one AES block for the
/// pad (PDF, §3.3) and the three hash layers over the message (UHASH, §5). The packet protocol's
/// `umac-64@openssh.com` and `umac-128@openssh.com` (see ``MACAlgorithm``) use the same code with
/// the packet sequence number as the nonce.
public final class UMAC {
    private let context: UMACContext
    /// Tag bytes: 4, 8, 12 or 16 (UMAC-32, UMAC-64, UMAC-96 or UMAC-128, RFC 4418 §1).
    public let outputLength: Int

    /// The key length: one AES-128 key, 16 bytes (RFC 4418 §3.1).
    public static let keyLength = UMACContext.keyLength

    /// Keys UMAC with `outputLength`-byte tags (4, 8, 12 or 16) under the 16-byte `key` (RFC 4418 §3.2).
    public init(key: some Collection<UInt8>, outputLength: Int) throws(CryptoError) {
        self.outputLength = outputLength
        let keyBytes = SecureBytes(key)
        context = try keyBytes.withUnsafeBytes { bytes throws(CryptoError) in
            try UMACContext(key: bytes, outputLength: outputLength)
        }
    }

    /// The tag of `message` under `nonce` (1 to 16 bytes), RFC 4418 §4. A nonce must never be used
    /// twice with the same key.
    public func authenticate(_ message: some Collection<UInt8>, nonce: some Collection<UInt8>) throws(CryptoError)
        -> [UInt8]
    {
        let nonceBytes = Array(nonce)
        var output = [UInt8](repeating: 0, count: outputLength)
        context.reset()
        if message.withContiguousStorageIfAvailable({ context.update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(message).withUnsafeBytes { context.update($0) }
        }
        try nonceBytes.withBytes { nonce throws(CryptoError) in
            try output.withMutableBytes { out throws(CryptoError) in
                try context.finish(nonce: nonce, into: out.baseAddress!.assumingMemoryBound(to: UInt8.self))
            }
        }
        return output
    }
}
