import SSHCrypto

/// A key an agent holds, as SSH_AGENT_IDENTITIES_ANSWER lists it (draft-miller-ssh-agent-14 §3.5): the
/// public key (or certificate) and the comment it was added with.
public struct AgentIdentity: Sendable, Hashable, CustomStringConvertible {
    /// The public key or certificate.
    public let publicKey: SSHPublicKey
    /// The comment, often the key file's path or `user@host`.
    public let comment: String

    /// An identity from a key and its comment.
    public init(publicKey: SSHPublicKey, comment: String) {
        self.publicKey = publicKey
        self.comment = comment
    }

    /// The line `ssh-add -l` prints for this key: `256 SHA256:… comment (ED25519)`.
    public var description: String { publicKey.fingerprintLine(comment: comment) }
}
