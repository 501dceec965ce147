import NIOCore
import SSHCrypto
import SSHWire

/// A message from an agent to a client (draft-miller-ssh-agent-14 §3), decoded once at the edge.
public enum AgentResponse: Sendable, Hashable {
    /// SSH_AGENT_SUCCESS (§3.1).
    case success
    /// SSH_AGENT_FAILURE (§3.1). OpenSSH's old failure numbers 30 (SSH2_AGENT_FAILURE) and 102
    /// (SSH_COM_AGENT2_FAILURE) decode as this too, as its authfd.c reads them.
    case failure
    /// SSH_AGENT_IDENTITIES_ANSWER: the keys held, in the agent's order (§3.5).
    case identities([AgentIdentity])
    /// SSH_AGENT_SIGN_RESPONSE: a signature blob, `string algorithm, string signature` (§3.6, RFC 4253 §6.6).
    case signature([UInt8])
    /// SSH_AGENT_EXTENSION_FAILURE: a known extension request failed (§3.8).
    case extensionFailure
    /// SSH_AGENT_EXTENSION_RESPONSE: a named extension's answer, its contents unframed (§3.8).
    case extensionResponse(name: String, contents: [UInt8])

    /// The message number this response is sent as (§6.1).
    public var messageNumber: AgentMessageNumber {
        switch self {
        case .success: .success
        case .failure: .failure
        case .identities: .identitiesAnswer
        case .signature: .signResponse
        case .extensionFailure: .extensionFailure
        case .extensionResponse: .extensionResponse
        }
    }

    /// Writes the payload, message number first (§3).
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(messageNumber.rawValue)
        switch self {
        case .success, .failure, .extensionFailure:
            break
        case .identities(let identities):
            buffer.writeSSHUInt32(UInt32(identities.count))
            for identity in identities {
                buffer.writeSSHString(identity.publicKey.blob)
                buffer.writeSSHString(identity.comment)
            }
        case .signature(let blob):
            buffer.writeSSHString(blob)
        case .extensionResponse(let name, let contents):
            buffer.writeSSHString(name)
            buffer.writeBytes(contents)
        }
    }

    /// The response as one frame, length first, ready to write (§3).
    public func frame() -> ByteBuffer {
        var frame = ByteBuffer()
        frame.writeAgentFrame { encode(into: &$0) }
        return frame
    }

    /// Decodes one response payload, message number first, which must be consumed exactly (§3).
    ///
    /// An identities answer skips keys whose blobs this library cannot parse (as OpenSSH's ssh-add skips
    /// unknown types), but its count and framing must hold.
    public init(payload: ByteBuffer) throws(AgentError) {
        var buffer = payload
        let number = try buffer.readAgentMessageNumber(of: "response")
        if number == 30 || number == 102 {
            self = .failure
            return
        }
        guard let type = AgentMessageNumber(rawValue: number) else {
            throw AgentError(.unknownMessage, "response type \(number)")
        }
        guard !type.isRequest else {
            throw AgentError(.unknownMessage, "\(type) is a request, not a response")
        }
        do throws(WireError) {
            switch type {
            case .success: self = .success
            case .failure: self = .failure
            case .extensionFailure: self = .extensionFailure
            case .identitiesAnswer: self = .identities(try Self.readIdentities(&buffer))
            case .signResponse: self = .signature(Array(try buffer.readSSHString().readableBytesView))
            case .extensionResponse:
                let name = try buffer.readSSHUTF8String()
                self = .extensionResponse(name: name, contents: Array(buffer.readSSHRemainingBytes().readableBytesView))
            case .requestIdentities, .signRequest, .addIdentity, .removeIdentity, .removeAllIdentities, .lock,
                .unlock, .addIdentityConstrained, .extension:
                throw WireError(.unexpectedMessage, "\(type) is a request")
            }
            try buffer.expectSSHEnd(of: "agent response \(number)")
        } catch {
            throw AgentError(.malformedMessage, "agent response \(number): \(error)")
        }
    }

    private static func readIdentities(_ buffer: inout ByteBuffer) throws(WireError) -> [AgentIdentity] {
        let count = try buffer.readSSHCount(minimumElementSize: 8, of: "identities")
        var identities: [AgentIdentity] = []
        identities.reserveCapacity(count)
        for _ in 0..<count {
            let blob = Array(try buffer.readSSHString().readableBytesView)
            let comment = String(decoding: try buffer.readSSHString().readableBytesView, as: UTF8.self)
            guard let key = try? SSHPublicKey(blob: blob) else { continue }
            identities.append(AgentIdentity(publicKey: key, comment: comment))
        }
        return identities
    }
}
