import NIOCore
import NIOPosix

/// A TCP server on 127.0.0.1 that sends back what it receives, then closes after the client's EOF.
public struct EchoServer: Sendable {
    /// The port it listens on.
    public let port: Int
    private let channel: any Channel

    /// Starts an echo server on a free port, or on a Unix socket at `unixPath`.
    public static func start(unixPath: String? = nil) async throws -> EchoServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
        let channel =
            if let unixPath {
                try await bootstrap.bind(unixDomainSocketPath: unixPath).get()
            } else {
                try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
            }
        return EchoServer(port: channel.localAddress?.port ?? 0, channel: channel)
    }

    /// Stops listening.
    public func stop() { channel.close(promise: nil) }

    /// Connects to `host`:`port`, sends `text`, closes the sending side and returns all that
    /// comes back before the peer closes: through an echo server (or a forwarding to one), `text`.
    public static func exchange(host: String = "127.0.0.1", port: Int, _ text: String) async throws -> String {
        let connection = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await connection.executeThenClose { inbound, outbound in
            // Sent while the echo is read, so neither side's buffers need to hold it all.
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await outbound.write(ByteBuffer(string: text))
                    try await connection.channel.close(mode: .output)
                }
                var received = ""
                for try await chunk in inbound { received += String(buffer: chunk) }
                try await group.waitForAll()
                return received
            }
        }
    }
}

private final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelEvent, case .inputClosed = event as! ChannelEvent {
            context.close(promise: nil)
        }
    }
}
