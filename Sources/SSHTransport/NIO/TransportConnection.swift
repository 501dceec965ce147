import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHWire

/// A transport connection in async form (RFC 4253): keys exchanged (for a client, the host key
/// decided) and `ssh-userauth` started before the body runs; then payloads of messages 50 and
/// up go both ways until the body returns and the connection closes.
public struct TransportConnection: Sendable {
    /// The session identifier (RFC 4253 §7.2).
    public let sessionID: [UInt8]
    /// What the first key exchange negotiated.
    public let negotiated: NegotiatedAlgorithms
    /// The peer's identification line.
    public let peerIdentification: String
    /// Our identification line (RFC 4253 §4.2).
    public let identification: String
    /// The server's `server-sig-algs` (RFC 8308 §3.1), when it sent them.
    public let serverSignatureAlgorithms: [String]?
    /// The host key blob the server presented in the first key exchange; empty after a GSS-API
    /// key exchange in which it sent none.
    public let serverHostKeyBlob: [UInt8]
    /// After a GSS-API key exchange (RFC 4462 §2), its context: `gssapi-keyex` signs with it.
    public let gssContext: (any GSSKeyExchangeContext)?
    /// On a server, after a GSS-API key exchange, its context: `gssapi-keyex` is checked with it.
    public let gssAcceptor: (any GSSKeyExchangeAcceptor)?
    /// The NIO channel under the connection.
    public let channel: any Channel
    /// The channel's event loop as a task executor (``TransportChannel/taskExecutor``).
    public let taskExecutor: EventLoopTaskExecutor
    private let inbound: TransportEventQueue

    /// Connects to `host`:`port`, runs the key exchange with `hostKeyPolicy` judging the
    /// server's key, asks for `ssh-userauth`, then runs `body` and closes.
    public static func withConnection<Result: Sendable>(
        host: String, port: Int, configuration: TransportConfiguration = TransportConfiguration(role: .client),
        hostKeyPolicy: HostKeyPolicy,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (TransportConnection) async throws -> Result
    ) async throws -> Result {
        let transportChannel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try TransportChannel.install(on: channel, configuration: configuration, hostKeyPolicy: hostKeyPolicy)
                }
            }
        return try await withEstablished(transportChannel, role: .client, body)
    }

    /// Runs `body` over `transportChannel` once it is ready for authentication: for a client,
    /// after the key exchange and `ssh-userauth` accepted; for a server, after the key exchange
    /// and the client's `ssh-userauth` request. Closes the channel when `body` returns or throws.
    public static func withEstablished<Result: Sendable>(
        _ transportChannel: TransportChannel, role: TransportConfiguration.Role,
        _ body: (TransportConnection) async throws -> Result
    ) async throws -> Result {
        let channel = transportChannel.channel
        do {
            let connection = try await establish(transportChannel, role: role)
            let result = try await body(connection)
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Waits for the key exchange and the `ssh-userauth` service, as ``withEstablished(_:role:_:)`` says.
    private static func establish(_ transportChannel: TransportChannel, role: TransportConfiguration.Role) async throws
        -> TransportConnection
    {
        let channel = transportChannel.channel
        let inbound = transportChannel.events
        var identification = ""
        var negotiated: NegotiatedAlgorithms?
        while negotiated == nil {
            switch try await inbound.next() {
            case .identification(let line): identification = line
            case .keyExchangeComplete(let algorithms, _): negotiated = algorithms
            case .disconnected(let message): throw Self.error(message)
            default: break
            }
        }
        // Commands go through the channel, so a write's future says when the transport took it.
        if role == .client { try await channel.writeAndFlush(TransportCommand.requestService("ssh-userauth")).get() }
        waiting: while true {
            switch try await inbound.next() {
            case .serviceAccepted where role == .client, .serviceRequested where role == .server: break waiting
            case .disconnected(let message): throw Self.error(message)
            default: continue
            }
        }
        let (sessionID, signatureAlgorithms, hostKey, gssContext, gssAcceptor, ours) = try await channel.eventLoop.submit {
            let handler = try channel.pipeline.syncOperations.handler(type: TransportHandler.self)
            return (
                handler.sessionID ?? [], handler.serverSignatureAlgorithms, handler.serverHostKeyBlob ?? [],
                handler.gssContext, handler.gssAcceptor, handler.identification
            )
        }.get()
        return TransportConnection(
            sessionID: sessionID, negotiated: negotiated!, peerIdentification: identification, identification: ours,
            serverSignatureAlgorithms: signatureAlgorithms, serverHostKeyBlob: hostKey, gssContext: gssContext,
            gssAcceptor: gssAcceptor,
            channel: channel,
            taskExecutor: transportChannel.taskExecutor, inbound: inbound)
    }

    /// Says DISCONNECT (RFC 4253 §11.1) with `reason` and closes.
    public func disconnect(_ reason: DisconnectReason = .byApplication, _ description: String = "") async throws {
        try await channel.writeAndFlush(TransportCommand.disconnect(reason, description)).get()
    }

    /// Sends a payload of message number 50 or more; while a key exchange runs and its queue is
    /// full (``TransportConfiguration/maximumQueuedPackets``), waits until the exchange is done.
    nonisolated(nonsending) public func send(_ payload: ByteBuffer) async throws {
        try await Self.settled(channel.writeAndFlush(TransportCommand.payload(payload)))
    }

    /// Sends several payloads in one trip to the event loop with one flush, waiting only for the
    /// last (the transport keeps their order); while a key exchange's queue is full, waits as
    /// ``send(_:)`` does.
    nonisolated(nonsending) public func send(contentsOf payloads: [ByteBuffer]) async throws {
        guard let written = write(contentsOf: payloads) else { return }
        try await Self.settled(written)
    }

    /// Hands several payloads to the transport in order with one flush, at once when called on
    /// the event loop (where the connection runtime runs), and returns what ``settled(_:)`` waits
    /// for; nil for none. A caller that must not let anything else go out between deciding on
    /// the payloads and sending them writes them with this, without a suspension in between.
    public func write(contentsOf payloads: [ByteBuffer]) -> EventLoopFuture<Void>? {
        write(commands: payloads.map(TransportCommand.payload))
    }

    /// ``write(contentsOf:)`` for payloads in two parts (``SplitPayload``): a channel's data goes
    /// into its packet without a copy of its own first.
    public func write(contentsOf payloads: [SplitPayload]) -> EventLoopFuture<Void>? {
        write(commands: payloads.map(TransportCommand.splitPayload))
    }

    /// Writes `commands` in order with one flush, at once when called on the event loop.
    private func write(commands: [TransportCommand]) -> EventLoopFuture<Void>? {
        guard let last = commands.last else { return nil }
        let channel = self.channel
        let writeAll: @Sendable () -> EventLoopFuture<Void> = {
            for command in commands.dropLast() { channel.write(command, promise: nil) }
            return channel.writeAndFlush(last)
        }
        return channel.eventLoop.inEventLoop ? writeAll() : channel.eventLoop.flatSubmit(writeAll)
    }

    /// Waits for `future` on the caller's executor, without the hop to the global executor that
    /// `EventLoopFuture.get()` makes; a future already fulfilled costs no suspension.
    nonisolated(nonsending) public static func settled(_ future: EventLoopFuture<Void>) async throws {
        try await withCheckedThrowingContinuation { continuation in
            future.whenComplete { continuation.resume(with: $0) }
        }
    }

    /// Tells the transport that authentication succeeded (connection messages may flow; delayed
    /// compression starts).
    public func authenticationSucceeded() async throws {
        try await channel.writeAndFlush(TransportCommand.authenticationSucceeded).get()
    }

    /// Starts a key re-exchange (RFC 4253 §9).
    public func rekey() async throws {
        try await channel.writeAndFlush(TransportCommand.rekey).get()
    }

    /// How many key exchanges have completed, the first included, as far as payloads have been read.
    public var completedKeyExchanges: Int { inbound.completedKeyExchanges }

    /// The next payload of message number 50 or more; transport events in between are passed
    /// over. Throws when the peer disconnects or the connection ends. One task reads at a time.
    nonisolated(nonsending) public func nextPayload() async throws -> ByteBuffer {
        while true {
            if let payload = try Self.payload(of: try await inbound.next()) { return payload }
        }
    }

    /// The next payload already received, without waiting: nil when none is queued. Lets a
    /// reader handle all the packets of a read cycle in one go. Throws as ``nextPayload()`` does.
    public func queuedPayload() throws -> ByteBuffer? {
        while let event = try inbound.nextQueued() {
            if let payload = try Self.payload(of: event) { return payload }
        }
        return nil
    }

    /// Calls `reader` on the connection's event loop at the end of every read cycle that brought
    /// events and once the connection ends, instead of having a task wait in ``nextPayload()``:
    /// the reader takes the payloads with ``queuedPayload()`` (which throws at the end) in the same
    /// job as the socket read. Call it on the event loop; no task may wait in ``nextPayload()``.
    public func readCycles(with reader: @escaping @Sendable () -> Void) {
        inbound.readCycles(with: reader)
    }

    /// The payload `event` carries; nil for the transport events a reader passes over.
    private static func payload(of event: TransportEvent) throws -> ByteBuffer? {
        switch event {
        case .payload(let payload): return payload
        case .disconnected(let message): throw Self.error(message)
        default: return nil
        }
    }

    private static func error(_ message: DisconnectMessage) -> TransportError {
        TransportError(.peerDisconnected, message.description, peerReason: message.reason)
    }
}
