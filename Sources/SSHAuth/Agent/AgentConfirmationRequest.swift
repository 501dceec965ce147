import SSHCrypto

/// What an agent asks its user before it signs with a key added with the confirm constraint
/// (draft-miller-ssh-agent-14 §3.2.7.2): OpenSSH's ssh-agent shows "Allow use of key … ?" through
/// ssh-askpass; an ``AgentKeyring`` hands this to its confirmation callback instead.
public struct AgentConfirmationRequest: Sendable, Hashable {
    /// The key that is to sign.
    public let publicKey: SSHPublicKey
    /// The comment it was added with.
    public let comment: String
    /// How many bytes are to be signed.
    public let dataLength: Int

    /// A request to confirm a use of `publicKey`.
    public init(publicKey: SSHPublicKey, comment: String, dataLength: Int) {
        self.publicKey = publicKey
        self.comment = comment
        self.dataLength = dataLength
    }
}
