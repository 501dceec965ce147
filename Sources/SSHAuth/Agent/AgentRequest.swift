import NIOCore
import SSHCrypto
import SSHWire

/// A message from a client to an agent (draft-miller-ssh-agent-14 §3), decoded once at the edge.
public enum AgentRequest: Sendable {
    /// SSH_AGENTC_REQUEST_IDENTITIES: list the keys (§3.5).
    case requestIdentities
    /// SSH_AGENTC_SIGN_REQUEST: sign `data` with the private half of `key` (§3.6); `flags` pick the RSA
    /// hash (§3.6.1).
    case sign(key: SSHPublicKey, data: [UInt8], flags: AgentSignFlags)
    /// SSH_AGENTC_ADD_IDENTITY, or SSH_AGENTC_ADD_ID_CONSTRAINED when `constraints` is not empty: hold
    /// `key` (§3.2, §3.2.7).
    case addIdentity(key: SSHPrivateKey, comment: String, constraints: [AgentConstraint])
    /// SSH_AGENTC_REMOVE_IDENTITY: forget `key` (§3.4).
    case removeIdentity(key: SSHPublicKey)
    /// SSH_AGENTC_REMOVE_ALL_IDENTITIES: forget every key (§3.4).
    case removeAllIdentities
    /// SSH_AGENTC_LOCK: refuse everything but UNLOCK until unlocked with the same passphrase (§3.7).
    case lock(passphrase: SecureBytes)
    /// SSH_AGENTC_UNLOCK (§3.7).
    case unlock(passphrase: SecureBytes)
    /// SSH_AGENTC_EXTENSION: a named vendor request whose contents follow the name unframed (§3.8, as
    /// OpenSSH's PROTOCOL.agent sends it).
    case `extension`(name: String, contents: [UInt8])

    /// The message number this request is sent as (§6.1).
    public var messageNumber: AgentMessageNumber {
        switch self {
        case .requestIdentities: .requestIdentities
        case .sign: .signRequest
        case .addIdentity(_, _, let constraints): constraints.isEmpty ? .addIdentity : .addIdentityConstrained
        case .removeIdentity: .removeIdentity
        case .removeAllIdentities: .removeAllIdentities
        case .lock: .lock
        case .unlock: .unlock
        case .extension: .extension
        }
    }

    /// Writes the payload, message number first (§3). Only adding a key can fail: when its private half
    /// cannot be exported.
    public func encode(into buffer: inout ByteBuffer) throws(AgentError) {
        buffer.writeSSHByte(messageNumber.rawValue)
        switch self {
        case .requestIdentities, .removeAllIdentities:
            break
        case .sign(let key, let data, let flags):
            buffer.writeSSHString(key.blob)
            buffer.writeSSHString(data)
            buffer.writeSSHUInt32(flags.rawValue)
        case .addIdentity(let key, let comment, let constraints):
            let blob: SecureBytes
            do {
                blob = try key.privateKeyBlob()
            } catch {
                throw AgentError(.key, "cannot export the \(key.type.sshName) key for the agent: \(error)")
            }
            blob.withUnsafeBytes { bytes in _ = buffer.writeBytes(bytes) }
            buffer.writeSSHString(comment)
            for constraint in constraints { constraint.encode(into: &buffer) }
        case .removeIdentity(let key):
            buffer.writeSSHString(key.blob)
        case .lock(let passphrase), .unlock(let passphrase):
            buffer.writeSSHString { body in passphrase.withUnsafeBytes { bytes in _ = body.writeBytes(bytes) } }
        case .extension(let name, let contents):
            buffer.writeSSHString(name)
            buffer.writeBytes(contents)
        }
    }

    /// The request as one frame, length first, ready to write (§3).
    public func frame() throws(AgentError) -> ByteBuffer {
        var payload = ByteBuffer()
        try encode(into: &payload)
        var frame = ByteBuffer()
        frame.writeAgentFrame { $0.writeImmutableBuffer(payload) }
        payload.zeroize()
        return frame
    }
}
