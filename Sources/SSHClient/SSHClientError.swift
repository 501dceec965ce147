/// Why a client operation failed, in words that say which step: resolving or reaching the
/// host, the host key, authentication (with the methods tried), or a command.
public struct SSHClientError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of client error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The host name did not resolve.
        public static let unknownHost = Code("unknownHost")
        /// Nothing listens at the address, or the network refused.
        public static let connectionFailed = Code("connectionFailed")
        /// A connect, banner, key exchange or authentication timeout passed.
        public static let timedOut = Code("timedOut")
        /// The server's host key is not recorded and the policy refuses unknown keys.
        public static let hostKeyUnknown = Code("hostKeyUnknown")
        /// The server's host key differs from the recorded one (or is revoked).
        public static let hostKeyChanged = Code("hostKeyChanged")
        /// No credential was accepted.
        public static let authenticationFailed = Code("authenticationFailed")
        /// A ProxyCommand could not start or a ProxyJump hop failed.
        public static let proxyFailed = Code("proxyFailed")
        /// The server refused a channel or request.
        public static let refused = Code("refused")
        /// The connection was closed.
        public static let closed = Code("closed")

        public var description: String { name }
    }

    /// What kind of error this is.
    public let code: Code
    /// What happened, in words.
    public let detail: String

    /// An error of `code` with `detail`.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "SSHClientError.\(code): \(detail)" }
}
