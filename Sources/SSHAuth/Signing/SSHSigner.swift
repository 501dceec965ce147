import SSHCrypto

/// Something that signs with a private key it may not expose: a key loaded from a file, or a
/// key held by an ssh-agent. Authentication signs the RFC 4252 §7 data through it.
public protocol SSHSigner: Sendable {
    /// The public key (possibly an OpenSSH certificate) the signatures verify under.
    var publicKey: SSHPublicKey { get }
    /// A signature blob (`string algorithm, string signature`) over `data` with `algorithm`
    /// (for RSA, `rsa-sha2-512`, `rsa-sha2-256` or `ssh-rsa`; RFC 8332 §3).
    func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8]
}

extension SSHPrivateKey: SSHSigner {
    /// Signs with this key (RFC 4253 §6.6, RFC 8332).
    public func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        try signature(for: data, algorithm: algorithm)
    }
}
