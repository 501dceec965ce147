import SSHCrypto

/// What a server decides during user authentication (Paramiko's ServerInterface auth
/// callbacks). Everything is refused unless the delegate says otherwise.
public protocol ServerAuthDelegate: Sendable {
    /// Decides one request. Called the same way for users that exist and users that do not, so
    /// the replies do not tell them apart (CVE-2018-15473).
    func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision
    /// The banner to send before the first reply (RFC 4252 §5.4), if any.
    func banner(for user: String) async -> String?
}

extension ServerAuthDelegate {
    /// No banner.
    public func banner(for user: String) async -> String? { nil }
}

/// Who logged in, as the connection layer is told: the keys are the ones whose signatures
/// verified, never merely offered ones (CVE-2024-45337).
public struct AuthenticatedIdentity: Sendable, Hashable {
    /// The user name.
    public var user: String
    /// The service the client asked for.
    public var service: String
    /// The methods that succeeded, in order.
    public var methods: [String]
    /// The public keys (or certificates) whose signatures verified, in order.
    public var verifiedKeys: [SSHPublicKeyIdentity]
}

/// A verified key with how it was used.
public struct SSHPublicKeyIdentity: Sendable, Hashable {
    /// The key or certificate.
    public var key: SSHPublicKey
    /// The signature algorithm it signed with.
    public var algorithm: String
}
