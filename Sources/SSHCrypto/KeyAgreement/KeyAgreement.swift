/// One side of an ephemeral key agreement used by a key exchange method
/// (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3).
///
/// ``publicValue`` is what this side sends: for X25519 and ECDH the raw public key
/// (sent as an SSH `string`), for finite-field Diffie–Hellman the big-endian value `e`
/// or `f` (sent as an `mpint`). ``sharedSecret(with:)`` validates the peer's value and
/// returns `K` as an unsigned big-endian integer, which the exchange hash encodes as an `mpint`;
/// a hybrid post-quantum method's `K` is a hash, encoded as a `string` (``sharedSecretIsString``).
public protocol KeyAgreement: Sendable {
    /// This side's public value.
    var publicValue: [UInt8] { get }
    /// Validates the peer's public value and computes the shared secret `K`.
    func sharedSecret(with peerPublicValue: some Collection<UInt8>) throws(CryptoError) -> SecureBytes
    /// Whether the exchange hash and key derivation take `K` as a `string` rather than an `mpint`.
    var sharedSecretIsString: Bool { get }
}

extension KeyAgreement {
    /// `K` is an integer, encoded as an `mpint` (RFC 4253 §8, RFC 5656 §4, RFC 8731 §3).
    public var sharedSecretIsString: Bool { false }
}
