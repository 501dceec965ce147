import NIOCore
import SSHWire

/// What the peer did, as the multiplexer reports it (RFC 4254).
public enum ConnectionEvent: Sendable {
    /// The peer asks to open a channel; answer with ``ChannelMultiplexer/accept(_:writingInto:)``
    /// or ``ChannelMultiplexer/reject(_:reason:description:writingInto:)``.
    case openRequested(ChannelID, ChannelType)
    /// A channel we opened is open.
    case opened(ChannelID)
    /// A channel we opened was refused.
    case openFailed(ChannelID, ChannelOpenFailureReason, String)
    /// Data arrived (RFC 4254 §5.2); call ``ChannelMultiplexer/consumed(_:on:writingInto:)`` once it is used.
    case data(ChannelID, ByteBuffer)
    /// Extended data arrived (stderr is type 1).
    case extendedData(ChannelID, UInt32, ByteBuffer)
    /// The peer's window grew: a writer waiting on this channel may go on.
    case writable(ChannelID)
    /// The peer will send no more data (RFC 4254 §5.3).
    case eof(ChannelID)
    /// The channel is closed both ways and its number is free (RFC 4254 §5.3).
    case closed(ChannelID)
    /// A channel request (RFC 4254 §5.4); when `wantReply`, answer with
    /// ``ChannelMultiplexer/reply(_:on:writingInto:)``, in the order requests came.
    case request(ChannelID, ChannelRequestType, wantReply: Bool)
    /// The answer to our oldest channel request that wanted one.
    case requestReply(ChannelID, success: Bool)
    /// A global request (RFC 4254 §4); when `wantReply`, answer with
    /// ``ChannelMultiplexer/replyGlobal(success:data:writingInto:)``, in order.
    case globalRequest(GlobalRequestType, wantReply: Bool)
    /// The answer to our oldest global request that wanted one.
    case globalReply(success: Bool, data: ByteBuffer)
}
