import SSHCrypto

/// A key held by an agent that signs like a key file (``SSHSigner``): each signature is an
/// SSH_AGENTC_SIGN_REQUEST (draft-miller-ssh-agent-14 §3.6).
public struct AgentSigner: SSHSigner {
    /// The agent that holds the private half.
    public let agent: SSHAgentClient
    /// The key as the agent listed it.
    public let identity: AgentIdentity

    /// A signer for `identity`, held by `agent`.
    public init(agent: SSHAgentClient, identity: AgentIdentity) {
        self.agent = agent
        self.identity = identity
    }

    /// The public key (or certificate).
    public var publicKey: SSHPublicKey { identity.publicKey }

    /// Asks the agent to sign `data` with `algorithm`; see ``SSHAgentClient/sign(data:key:algorithm:)``.
    public func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        try await agent.sign(data: data, key: identity.publicKey, algorithm: algorithm)
    }
}
