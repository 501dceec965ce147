import SSHCrypto

extension SSHPrivateKey: TransportHostKey {
    /// The public key blob, sent as `K_S`.
    public var publicKeyBlob: [UInt8] { publicKey.blob }

    /// The host key algorithms this key signs for (RFC 4253 §6.6, RFC 8332 for RSA).
    public var hostKeyAlgorithms: [String] { publicKey.signatureAlgorithms }

    /// Signs the exchange hash with the signature algorithm the host key algorithm implies.
    public func signExchangeHash(_ exchangeHash: [UInt8], hostKeyAlgorithm: String) throws -> [UInt8] {
        try signature(for: exchangeHash, algorithm: signatureAlgorithm(forHostKeyAlgorithm: hostKeyAlgorithm))
    }
}

extension TransportConfiguration {
    /// Verifies a server's signature over the exchange hash with the key in `K_S` and the
    /// signature algorithm the negotiated host key algorithm names (RFC 4253 §8, RFC 8332 §3).
    public static let verifyHostKeySignature: HostKeySignatureVerifier = { blob, signature, hash, algorithm in
        guard let key = try? SSHPublicKey(blob: blob), key.signatureAlgorithms.contains(algorithm) else {
            return false
        }
        return key.isValidSignature(signature, for: hash, algorithm: signatureAlgorithm(forHostKeyAlgorithm: algorithm))
    }
}
