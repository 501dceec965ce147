import SSHConnection

/// What the server does with an exec, shell or subsystem request (RFC 4254 §6.5).
public enum SessionAction: Sendable {
    /// Refuse the request (CHANNEL_FAILURE); the channel stays open for another try.
    case deny
    /// Run it as a local process: exec's command through `shell -c`, or `shell` as a login
    /// shell, on a pseudo-terminal when one was granted, with stdin, stdout and stderr wired to
    /// the channel; its exit status or signal is reported back.
    case runProcess(LocalProcessOptions)
    /// Hand the channel to `handler`, which reads and writes it and returns the exit status to
    /// report; the channel closes after that.
    case handle(SessionHandler)
}

/// Drives a granted session channel (a subsystem or a custom command); returns the exit status.
public typealias SessionHandler = @Sendable (SSHChannel, SessionContext) async -> UInt32

/// How ``SessionAction/runProcess(_:)`` starts the process.
public struct LocalProcessOptions: Sendable, Hashable {
    /// The shell that runs commands (`shell -c command`) and interactive sessions.
    public var shell: String
    /// The working directory; nil keeps the server's.
    public var workingDirectory: String?
    /// Variables every process gets, before those the client sent and the server granted.
    public var environment: [String: String]
    /// A command run instead of the client's (sshd's ForceCommand, or a subsystem's program);
    /// the client's command goes to it as `SSH_ORIGINAL_COMMAND`.
    public var command: String?

    /// Options with `shell`, `workingDirectory`, `environment` and a forced `command`.
    public init(
        shell: String = "/bin/sh", workingDirectory: String? = nil, environment: [String: String] = [:],
        command: String? = nil
    ) {
        self.shell = shell
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.command = command
    }
}
