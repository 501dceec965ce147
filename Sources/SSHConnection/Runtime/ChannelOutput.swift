import NIOCore
import SSHWire

/// What arrives on a channel, in order (RFC 4254 §5.2–§5.3, §6.10).
public enum ChannelOutput: Sendable {
    /// Data (a session's standard output).
    case stdout(ByteBuffer)
    /// Extended data of type 1 (a session's standard error).
    case stderr(ByteBuffer)
    /// The peer sent EOF: no more data follows.
    case eof
    /// The command exited with this status (`exit-status`).
    case exitStatus(UInt32)
    /// The command was killed by a signal (`exit-signal`).
    case exitSignal(ChannelRequestType.ExitSignal)
}
