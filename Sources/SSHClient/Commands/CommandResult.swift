import NIOCore
import SSHWire

/// What a command run with ``SSHClient/run(_:input:)`` produced (RFC 4254 §6.5, §6.10).
public struct CommandResult: Sendable {
    /// Its standard output.
    public var stdout: [UInt8] = []
    /// Its standard error.
    public var stderr: [UInt8] = []
    /// Its exit status, when it exited normally.
    public var exitStatus: UInt32?
    /// The signal that ended it, when one did.
    public var exitSignal: ChannelRequestType.ExitSignal?

    /// Standard output as UTF-8 text.
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard error as UTF-8 text.
    public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }
}
