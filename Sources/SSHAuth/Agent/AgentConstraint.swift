import NIOCore
import SSHWire

/// A constraint on a key added with SSH_AGENTC_ADD_ID_CONSTRAINED (draft-miller-ssh-agent-14 §3.2.7).
public enum AgentConstraint: Sendable, Hashable {
    /// SSH_AGENT_CONSTRAIN_LIFETIME (1): the agent forgets the key this many seconds after adding it
    /// (§3.2.7.1).
    case lifetime(seconds: UInt32)
    /// SSH_AGENT_CONSTRAIN_CONFIRM (2): the agent asks its user before each use of the key (§3.2.7.2).
    case confirm
    /// SSH_AGENT_CONSTRAIN_EXTENSION (255): a named extension constraint whose contents follow the name
    /// unframed (§3.2.7.3). Only an agent that knows the name can tell where the contents end, so this
    /// agent refuses every one as ``AgentError/Code/unsupported``; a client may still send one.
    case `extension`(name: String, contents: [UInt8])

    /// The constraint's type byte.
    public var typeNumber: UInt8 {
        switch self {
        case .lifetime: 1
        case .confirm: 2
        case .extension: 255
        }
    }

    /// Writes the constraint (§3.2.7).
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(typeNumber)
        switch self {
        case .lifetime(let seconds): buffer.writeSSHUInt32(seconds)
        case .confirm: break
        case .extension(let name, let contents):
            buffer.writeSSHString(name)
            buffer.writeBytes(contents)
        }
    }

    /// Reads constraints until the end of `buffer` (§3.2.7). A lifetime or confirm constraint given twice is
    /// malformed, as OpenSSH's ssh-agent holds it; an unknown type or any extension is unsupported.
    static func readAll(from buffer: inout ByteBuffer) throws(AgentError) -> [AgentConstraint] {
        var constraints: [AgentConstraint] = []
        while buffer.readableBytes > 0 {
            let constraint: AgentConstraint
            do {
                switch try buffer.readSSHByte() {
                case 1: constraint = .lifetime(seconds: try buffer.readSSHUInt32())
                case 2: constraint = .confirm
                case 255:
                    let name = try buffer.readSSHUTF8String()
                    throw AgentError(.unsupported, "the key constraint extension \(name.debugDescription)")
                case let other: throw AgentError(.unsupported, "key constraint type \(other)")
                }
            } catch let error as AgentError {
                throw error
            } catch {
                throw AgentError(.malformedMessage, "key constraint: \(error)")
            }
            guard !constraints.contains(where: { $0.typeNumber == constraint.typeNumber }) else {
                throw AgentError(.malformedMessage, "key constraint type \(constraint.typeNumber) given twice")
            }
            constraints.append(constraint)
        }
        return constraints
    }
}
