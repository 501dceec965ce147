/// An error speaking the SSH agent protocol (draft-miller-ssh-agent-14), as client or as agent.
///
/// Switch on ``code``; ``detail`` says what went wrong and whose side it came from. A peer's bad input is
/// always one of these, never a trap. An agent answers ``Code/unknownMessage`` and ``Code/unsupported``
/// with SSH_AGENT_FAILURE and keeps the connection (§3.1, as OpenSSH's ssh-agent does); it closes the
/// connection after ``Code/frameTooLarge`` and ``Code/malformedMessage``.
public struct AgentError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of agent error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case frameTooLarge
            case malformedMessage
            case unknownMessage
            case unsupported
            case unexpectedResponse
            case refused
            case connectionClosed
            case socket
            case noAgent
            case invalidArgument
            case key
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A frame's length is over ``AgentFrameDecoder/maximumFrameLength`` (§3: 256 KiB), or zero.
        public static let frameTooLarge = Code(.frameTooLarge)
        /// A message is truncated, has bytes after its last field, or holds a field that cannot be what it says.
        public static let malformedMessage = Code(.malformedMessage)
        /// The message number is not one the protocol defines for this direction (§6.1).
        public static let unknownMessage = Code(.unknownMessage)
        /// A well-formed request this agent does not serve: a key type it cannot hold, an unknown constraint
        /// extension (§3.2.7.3).
        public static let unsupported = Code(.unsupported)
        /// The agent answered with a message that does not answer the request sent.
        public static let unexpectedResponse = Code(.unexpectedResponse)
        /// The agent answered SSH_AGENT_FAILURE or SSH_AGENT_EXTENSION_FAILURE (§3.1, §3.8).
        public static let refused = Code(.refused)
        /// The connection ended before a whole message arrived.
        public static let connectionClosed = Code(.connectionClosed)
        /// Creating, binding, connecting, reading or writing the socket failed.
        public static let socket = Code(.socket)
        /// No agent socket was given and `SSH_AUTH_SOCK` is not set.
        public static let noAgent = Code(.noAgent)
        /// Our own caller asked for something the protocol cannot carry (a lifetime beyond 2³²−1 seconds,
        /// a signature algorithm the key does not have, a socket path too long or in an unsafe directory).
        public static let invalidArgument = Code(.invalidArgument)
        /// A key could not be exported, imported or used to sign.
        public static let key = Code(.key)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation, never containing secret material.
    public let detail: String

    /// Creates an error with a code and a detail.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "AgentError.\(code): \(detail)" }
}
