/// Why a local process for an `exec` or `shell` request (RFC 4254 §6.5) could not be started or fed: a
/// switchable ``code`` and a ``detail`` saying what failed. The server answers the request with
/// `SSH_MSG_CHANNEL_FAILURE` (RFC 4254 §6.5) when ``LocalProcess/start(command:shell:environment:workingDirectory:terminal:)``
/// throws.
public struct ProcessError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of process error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case shellNotFound, workingDirectory, pseudoTerminal, descriptors, spawnFailed, inputClosed
            case outputAlreadyConsumed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The shell does not exist or is not executable.
        public static let shellNotFound = Code(.shellNotFound)
        /// The working directory does not exist, is not a directory or cannot be entered.
        public static let workingDirectory = Code(.workingDirectory)
        /// No pseudo-terminal could be allocated or set up for a `pty-req` (RFC 4254 §6.2).
        public static let pseudoTerminal = Code(.pseudoTerminal)
        /// The pipes to the process could not be created (descriptor limit reached).
        public static let descriptors = Code(.descriptors)
        /// `posix_spawn` or the thread that waits for the process failed.
        public static let spawnFailed = Code(.spawnFailed)
        /// Standard input is closed: ``LocalProcess/closeInput()`` was called or the process stopped reading.
        public static let inputClosed = Code(.inputClosed)
        /// Standard output or standard error was iterated a second time; each can be read once.
        public static let outputAlreadyConsumed = Code(.outputAlreadyConsumed)

        public var description: String {
            switch base {
            case .shellNotFound: "shellNotFound"
            case .workingDirectory: "workingDirectory"
            case .pseudoTerminal: "pseudoTerminal"
            case .descriptors: "descriptors"
            case .spawnFailed: "spawnFailed"
            case .inputClosed: "inputClosed"
            case .outputAlreadyConsumed: "outputAlreadyConsumed"
            }
        }
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

    public var description: String { "ProcessError.\(code): \(detail)" }
}
