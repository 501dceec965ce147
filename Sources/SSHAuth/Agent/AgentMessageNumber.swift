/// The message numbers of the SSH agent protocol (draft-miller-ssh-agent-14 §6.1), requests
/// (`SSH_AGENTC_*`) and replies (`SSH_AGENT_*`).
public enum AgentMessageNumber: UInt8, Sendable, Hashable, CaseIterable {
    /// SSH_AGENT_FAILURE: the request failed or is not supported (§3.1).
    case failure = 5
    /// SSH_AGENT_SUCCESS: the request succeeded (§3.1).
    case success = 6
    /// SSH_AGENTC_REQUEST_IDENTITIES (§3.5).
    case requestIdentities = 11
    /// SSH_AGENT_IDENTITIES_ANSWER (§3.5).
    case identitiesAnswer = 12
    /// SSH_AGENTC_SIGN_REQUEST (§3.6).
    case signRequest = 13
    /// SSH_AGENT_SIGN_RESPONSE (§3.6).
    case signResponse = 14
    /// SSH_AGENTC_ADD_IDENTITY (§3.2).
    case addIdentity = 17
    /// SSH_AGENTC_REMOVE_IDENTITY (§3.4).
    case removeIdentity = 18
    /// SSH_AGENTC_REMOVE_ALL_IDENTITIES (§3.4).
    case removeAllIdentities = 19
    /// SSH_AGENTC_LOCK (§3.7).
    case lock = 22
    /// SSH_AGENTC_UNLOCK (§3.7).
    case unlock = 23
    /// SSH_AGENTC_ADD_ID_CONSTRAINED (§3.2, §3.2.7).
    case addIdentityConstrained = 25
    /// SSH_AGENTC_EXTENSION (§3.8).
    case `extension` = 27
    /// SSH_AGENT_EXTENSION_FAILURE (§3.8).
    case extensionFailure = 28
    /// SSH_AGENT_EXTENSION_RESPONSE (§3.8).
    case extensionResponse = 29

    /// Whether a client sends this message (`SSH_AGENTC_*`) rather than an agent (`SSH_AGENT_*`).
    public var isRequest: Bool {
        switch self {
        case .requestIdentities, .signRequest, .addIdentity, .removeIdentity, .removeAllIdentities, .lock, .unlock,
            .addIdentityConstrained, .extension:
            true
        case .failure, .success, .identitiesAnswer, .signResponse, .extensionFailure, .extensionResponse:
            false
        }
    }
}
