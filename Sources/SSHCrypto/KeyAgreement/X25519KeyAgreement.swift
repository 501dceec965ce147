import COpenSSL

/// X25519 (RFC 7748 §5) as curve25519-sha256 uses it (RFC 8731 §3): 32-byte public keys,
/// and the 32-byte output taken as an unsigned big-endian integer for the exchange hash.
/// An all-zero output (a low-order peer point) is rejected.
public struct X25519KeyAgreement: KeyAgreement {
    private let privateKey: OpenSSLKey
    public let publicValue: [UInt8]

    /// A fresh key pair with a private key drawn from `random`.
    public init(using random: inout some SSHRandomSource) throws(CryptoError) {
        try self.init(privateKey: random.secureBytes(32))
    }

    /// A key pair from a known 32-byte private scalar (test vectors, deterministic tests).
    public init(privateKey: SecureBytes) throws(CryptoError) {
        guard privateKey.count == 32 else {
            throw CryptoError(.invalidKeyLength, "X25519 private keys are 32 bytes")
        }
        let key = try privateKey.withUnsafeBytes { bytes throws(CryptoError) in
            try check(
                EVP_PKEY_new_raw_private_key(
                    EVP_PKEY_X25519, nil, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), 32),
                "EVP_PKEY_new_raw_private_key")
        }
        self.privateKey = OpenSSLKey(key)
        var length = 32
        var value = [UInt8](repeating: 0, count: 32)
        let status = value.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key, $0.baseAddress, &length) }
        try check(status, "EVP_PKEY_get_raw_public_key")
        publicValue = value
    }

    public func sharedSecret(with peerPublicValue: some Collection<UInt8>) throws(CryptoError) -> SecureBytes {
        let peerBytes = Array(peerPublicValue)
        guard peerBytes.count == 32 else {
            throw CryptoError(.invalidPublicValue, "X25519 public keys are 32 bytes, not \(peerBytes.count)")
        }
        guard
            let peer = peerBytes.withUnsafeBufferPointer({
                EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nil, $0.baseAddress, 32)
            })
        else {
            throw CryptoError(.invalidPublicValue, "the peer's X25519 key was rejected")
        }
        let secret = try privateKey.derive(with: OpenSSLKey(peer))
        let allZero = secret.withUnsafeBytes { $0.allSatisfy { $0 == 0 } }
        guard !allZero else { throw CryptoError(.invalidPublicValue, "X25519 produced the all-zero secret") }
        return secret
    }
}
