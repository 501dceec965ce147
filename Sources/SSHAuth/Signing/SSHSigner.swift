import SSHCrypto

/// Something that signs with a private key it may not reveal: a key in memory (``SSHCrypto/SSHPrivateKey``)
/// or a key an agent holds (``AgentSigner``). The client authenticator signs publickey requests through it
/// (RFC 4252 §7).
public protocol SSHSigner: Sendable {
    /// The public key (or certificate) the signature verifies with.
    var publicKey: SSHPublicKey { get }

    /// Signs `data` and returns the signature blob, `string algorithm, string signature` (RFC 4253 §6.6).
    /// `algorithm` is one of `publicKey.signatureAlgorithms`, e.g. `rsa-sha2-256` for an RSA key (RFC 8332).
    func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8]

    /// Whether the client authenticator sends a signed request at once instead of first asking
    /// whether the server would take the key (RFC 4252 §7 allows both): true where signing is
    /// cheap and involves nobody (a key in memory), which saves a round trip and the server's
    /// second look at its authorized keys. False by default, and for an agent's keys: the agent
    /// may ask its user, so the key is offered first, as OpenSSH does.
    var signsWithoutQuery: Bool { get }
}

extension SSHSigner {
    /// False: offer the key first (RFC 4252 §7).
    public var signsWithoutQuery: Bool { false }
}

extension SSHPrivateKey: SSHSigner {
    /// Signs in memory; see ``SSHCrypto/SSHPrivateKey/signature(for:algorithm:)``.
    public func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        try signature(for: data, algorithm: algorithm)
    }

    /// True: a key in memory signs at once, without a query first.
    public var signsWithoutQuery: Bool { true }
}
