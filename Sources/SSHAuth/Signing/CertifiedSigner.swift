import SSHCrypto

/// A signer presented with an OpenSSH certificate for its key (PROTOCOL.certkeys): the public key
/// offered is the certificate, the signature is made by the certified key.
public struct CertifiedSigner: SSHSigner {
    /// The signer of the certified key.
    public let signer: any SSHSigner
    /// The certificate, offered as the public key.
    public let publicKey: SSHPublicKey

    /// Pairs `signer` with `certificate`; fails when it certifies another key.
    public init(signer: any SSHSigner, certificate: SSHPublicKey) throws(AuthError) {
        guard let body = certificate.certificate, body.key == signer.publicKey else {
            throw AuthError(.invalidCredential, "the certificate does not certify this key")
        }
        self.signer = signer
        self.publicKey = certificate
    }

    /// As the certified key's signer.
    public var signsWithoutQuery: Bool { signer.signsWithoutQuery }

    /// Signs with the certified key; certificate algorithm names sign with their plain name.
    public func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        try await signer.sign(data, algorithm: SSHPublicKey.plainAlgorithm(ofCertificateAlgorithm: algorithm))
    }
}
