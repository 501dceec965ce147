import NIOCore
import NIOPosix
import SSHTransport
import SSHWire

/// A listening socket whose every connection is carried over a new channel of the connection
/// (RFC 4254 §7): a client's local forwarding (`direct-tcpip`, ssh -L), a server's remote
/// forwarding (`forwarded-tcpip`, ssh -R), Unix-socket forwardings and the server side of agent
/// forwarding (OpenSSH PROTOCOL §2.4, PROTOCOL.agent).
public final class ForwardingListener: Sendable {
    /// Where to listen.
    public enum Address: Sendable, Hashable, CustomStringConvertible {
        /// A TCP address; port 0 picks a free port.
        case tcp(host: String, port: Int)
        /// A Unix socket at a path.
        case unix(path: String)

        /// `host:port`, or the socket's path.
        public var description: String {
            switch self {
            case .tcp(let host, let port): "\(host):\(port)"
            case .unix(let path): path
            }
        }
    }

    /// The address bound (for port 0, the port chosen).
    public let localAddress: SocketAddress?
    private let listener: any Channel
    private let task: Task<Void, Never>

    /// Listens on `address`; for each connection, opens the channel `channelType` names for the
    /// connection's remote address on `runtime` and carries the bytes both ways until either end
    /// closes. A refused channel closes the connection.
    public static func bind(
        _ address: Address, runtime: ConnectionRuntime,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        channelType: @escaping @Sendable (SocketAddress?) -> ChannelType
    ) async throws -> ForwardingListener {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer: @Sendable (any Channel) -> EventLoopFuture<AcceptedChannel<ByteBuffer, ByteBuffer>> = { child in
            child.eventLoop.makeCompletedFuture { try AcceptedChannel(wrappingChannelSynchronously: child) }
        }
        let server: NIOAsyncChannel<AcceptedChannel<ByteBuffer, ByteBuffer>, Never>
        switch address {
        case .tcp(let host, let port):
            server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case .unix(let path):
            server = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
        }
        return ForwardingListener(server: server, runtime: runtime, channelType: channelType)
    }

    private init(
        server: NIOAsyncChannel<AcceptedChannel<ByteBuffer, ByteBuffer>, Never>, runtime: ConnectionRuntime,
        channelType: @escaping @Sendable (SocketAddress?) -> ChannelType
    ) {
        localAddress = server.channel.localAddress
        listener = server.channel
        task = Task {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await accepted in connections {
                            guard let connection = accepted.take() else { continue }
                            group.addTask {
                                let type = channelType(connection.channel.remoteAddress)
                                do {
                                    let channel = try await runtime.openChannel(type)
                                    try await channel.bridge(to: connection)
                                } catch {
                                    try? await connection.executeThenClose { _, _ in }
                                }
                            }
                        }
                    } catch {}
                }
            }
        }
    }

    /// Stops listening; connections already carried go on to their end.
    public func close() {
        listener.close(promise: nil)
    }

    /// Waits until the listener and every connection it carried have ended.
    public func wait() async {
        await task.value
    }
}

extension ForwardingListener.Address {
    /// Connects to this address, the far end of a forwarding (`direct-tcpip` on a server,
    /// `forwarded-tcpip` on a client); nil when it cannot be reached within `timeout`.
    public func connect(
        timeout: Duration = .seconds(10), group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async -> NIOAsyncChannel<ByteBuffer, ByteBuffer>? {
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(TimeAmount(timeout))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<NIOAsyncChannel<ByteBuffer, ByteBuffer>> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
        switch self {
        case .tcp(let host, let port):
            return try? await bootstrap.channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port, channelInitializer: initializer)
        case .unix(let path):
            return try? await bootstrap.connect(unixDomainSocketPath: path, channelInitializer: initializer)
        }
    }
}
