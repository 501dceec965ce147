/// An error of the server framework: a switchable ``code`` and a ``detail``. It covers the server's
/// setup and the local processes of `exec` and `shell` requests (RFC 4254 §6.5): when
/// ``LocalProcess/start(command:shell:environment:workingDirectory:terminal:)`` throws, the server
/// answers the request with `SSH_MSG_CHANNEL_FAILURE`.
public struct SSHServerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of server error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The server was set up wrongly (no host key, a bad address).
        public static let configuration = Code("configuration")
        /// A process's shell does not exist or is not executable.
        public static let shellNotFound = Code("shellNotFound")
        /// A process's working directory does not exist, is not a directory or cannot be entered.
        public static let workingDirectory = Code("workingDirectory")
        /// No pseudo-terminal could be allocated or set up for a `pty-req` (RFC 4254 §6.2).
        public static let pseudoTerminal = Code("pseudoTerminal")
        /// The pipes to a process could not be created (descriptor limit reached).
        public static let descriptors = Code("descriptors")
        /// `posix_spawn` or the thread that waits for a process failed.
        public static let spawnFailed = Code("spawnFailed")
        /// A process's standard input is closed: ``LocalProcess/closeInput()`` was called or the
        /// process stopped reading.
        public static let inputClosed = Code("inputClosed")
        /// A process's standard output or standard error was iterated a second time; each can be
        /// read once.
        public static let outputAlreadyConsumed = Code("outputAlreadyConsumed")

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

    public var description: String { "SSHServerError.\(code): \(detail)" }
}
