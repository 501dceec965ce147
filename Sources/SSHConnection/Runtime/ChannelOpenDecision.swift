import SSHWire

/// The answer to a channel the peer asks to open (RFC 4254 §5.1).
public enum ChannelOpenDecision: Sendable {
    /// Confirm the channel and run `handler` with it; the channel closes when the handler returns.
    /// With `receivesRequests`, the channel's requests reach ``SSHChannel/requests`` and the
    /// handler answers them; otherwise each is refused (a session's exec, pty-req … need them).
    case accept(receivesRequests: Bool, handler: @Sendable (SSHChannel) async -> Void)
    /// Refuse with a reason and a message.
    case reject(ChannelOpenFailureReason, String)
}

/// A channel request the peer sent on a channel we accepted (RFC 4254 §5.4); when
/// `wantReply`, answer it with ``SSHChannel/reply(_:)``, in order.
public struct ChannelRequestEvent: Sendable {
    /// The request.
    public let request: ChannelRequestType
    /// Whether the peer waits for SUCCESS or FAILURE.
    public let wantReply: Bool
}

/// What a connection does with what the peer starts: channels it opens and global requests
/// (RFC 4254 §4, §5.1). The defaults refuse everything, as a client should.
///
/// The handlers, and the channel handlers they accept with, run with the connection's event
/// loop as their task executor (``ConnectionRuntime/taskExecutor``), so a packet reaches them
/// without a hop between threads; blocking work belongs elsewhere.
public struct ConnectionHandlers: Sendable {
    /// Decides a channel the peer asks to open.
    public var channelOpen: @Sendable (ChannelType) async -> ChannelOpenDecision
    /// Answers a global request: success or failure, with response data for success
    /// (`tcpip-forward` for port 0 returns the bound port). The runtime is the connection's,
    /// for handlers that open channels later (a remote forwarding's connections).
    public var globalRequest: @Sendable (GlobalRequestType, ConnectionRuntime) async -> (success: Bool, data: [UInt8])

    /// Handlers that refuse every channel and global request.
    public init(
        channelOpen: @escaping @Sendable (ChannelType) async -> ChannelOpenDecision = { _ in
            .reject(.administrativelyProhibited, "not requested")
        },
        globalRequest: @escaping @Sendable (GlobalRequestType, ConnectionRuntime) async -> (success: Bool, data: [UInt8]) = {
            _, _ in (false, [])
        }
    ) {
        self.channelOpen = channelOpen
        self.globalRequest = globalRequest
    }
}
