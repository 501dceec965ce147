import SSHCrypto

/// How user authentication ended successfully.
public struct UserAuthResult: Sendable {
    /// The method of the request the server answered with success.
    public var method: String
    /// Every method that succeeded, in order (more than one after partial success).
    public var methods: [String]
    /// The public keys that were accepted, in order.
    public var acceptedKeys: [SSHPublicKey]
}
