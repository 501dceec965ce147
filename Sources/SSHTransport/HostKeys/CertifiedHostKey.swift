import SSHCrypto

/// A server host key presented with an OpenSSH host certificate (PROTOCOL.certkeys): `K_S` is
/// the certificate blob, the algorithms are the `-cert-v01@openssh.com` names, and the exchange
/// hash is signed by the certified key with the plain algorithm.
public struct CertifiedHostKey: TransportHostKey {
    /// The private half of the certified key.
    public let privateKey: SSHPrivateKey
    /// The host certificate.
    public let certificate: SSHPublicKey

    /// Pairs `privateKey` with `certificate`; fails when the certificate is not a host
    /// certificate or certifies another key.
    public init(privateKey: SSHPrivateKey, certificate: SSHPublicKey) throws(TransportError) {
        guard let body = certificate.certificate else {
            throw TransportError(.hostKeyNotVerifiable, "not a certificate: \(certificate.keyType)")
        }
        guard body.kind == .host else {
            throw TransportError(.hostKeyNotVerifiable, "a user certificate cannot serve as a host key")
        }
        guard body.key == privateKey.publicKey else {
            throw TransportError(.hostKeyNotVerifiable, "the certificate certifies another key")
        }
        self.privateKey = privateKey
        self.certificate = certificate
    }

    /// The certificate blob, sent as `K_S`.
    public var publicKeyBlob: [UInt8] { certificate.blob }

    /// The certificate algorithms this key serves (for RSA, the rsa-sha2 forms first).
    public var hostKeyAlgorithms: [String] { certificate.signatureAlgorithms }

    /// Signs with the certified key, using the plain algorithm under the certificate name.
    public func signExchangeHash(_ exchangeHash: [UInt8], hostKeyAlgorithm: String) throws -> [UInt8] {
        try privateKey.signature(for: exchangeHash, algorithm: signatureAlgorithm(forHostKeyAlgorithm: hostKeyAlgorithm))
    }
}
