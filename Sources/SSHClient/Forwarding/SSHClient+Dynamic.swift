import NIOCore
import NIOPosix
import SSHTransport
import SSHConnection
import SSHWire

extension SSHClient {
    /// Dynamic forwarding (ssh -D): a SOCKS 4, 4a and 5 proxy on `listen` whose every CONNECT
    /// becomes a `direct-tcpip` channel to the target it names (RFC 4254 §7.2). Closes with the
    /// client or with ``DynamicForwardListener/close()``.
    public func forwardDynamic(listen: ForwardingListener.Address) async throws -> DynamicForwardListener {
        let listener = try await DynamicForwardListener.bind(listen, runtime: runtime)
        forwarding.keepDynamic(listener)
        return listener
    }
}

/// The SOCKS listener of ``SSHClient/forwardDynamic(listen:)``.
public final class DynamicForwardListener: Sendable {
    /// The address bound.
    public let localAddress: SocketAddress?
    private let listener: any Channel

    static func bind(_ address: ForwardingListener.Address, runtime: ConnectionRuntime) async throws -> DynamicForwardListener {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedChannel<ByteBuffer, ByteBuffer>> = { child in
            child.eventLoop.makeCompletedFuture { try AcceptedChannel(wrappingChannelSynchronously: child) }
        }
        let server: NIOAsyncChannel<AcceptedChannel<ByteBuffer, ByteBuffer>, Never>
        switch address {
        case .tcp(let host, let port): server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path): server = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
        }
        Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await accepted in connections {
                            guard let connection = accepted.take() else { continue }
                            group.addTask { await Self.serve(connection, runtime: runtime) }
                        }
                    } catch {}
                }
            }
        }
        return DynamicForwardListener(localAddress: server.channel.localAddress, listener: server.channel)
    }

    private init(localAddress: SocketAddress?, listener: any Channel) {
        self.localAddress = localAddress
        self.listener = listener
    }

    private static func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, runtime: ConnectionRuntime) async {
        let socket = connection.channel
        try? await connection.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            var handshake = SOCKSHandshake()
            var buffer = ByteBuffer()
            while true {
                switch handshake.feed(&buffer) {
                case .needMore:
                    guard var more = try await iterator.next() else { return }
                    buffer.writeBuffer(&more)
                case .send(let bytes):
                    try await outbound.write(ByteBuffer(bytes: bytes))
                case .refuse(let bytes, _):
                    if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
                    return
                case .connect(let host, let port):
                    let remote = socket.remoteAddress
                    let channel: SSHChannel
                    do {
                        channel = try await runtime.openChannel(
                            .directTCPIP(
                                .init(
                                    host: host, port: UInt32(clamping: port), originatorAddress: remote?.ipAddress ?? "127.0.0.1",
                                    originatorPort: UInt32(remote?.port ?? 0))))
                    } catch {
                        try await outbound.write(ByteBuffer(bytes: handshake.reply(success: false)))
                        return
                    }
                    try await outbound.write(ByteBuffer(bytes: handshake.reply(success: true)))
                    try await channel.carry(from: &iterator, to: outbound, socket: socket, pending: buffer)
                    try? await channel.close()
                    return
                }
            }
        }
    }

    /// Stops listening; connections already carried go on.
    public func close() { listener.close(promise: nil) }
}
