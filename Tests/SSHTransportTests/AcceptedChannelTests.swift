import NIOCore
import NIOPosix
import SSHTransport
import Testing

/// Connections a listener accepted and nobody served are closed, not left to stop the process.
struct AcceptedChannelTests {
    typealias Connection = NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// A listener whose connections arrive as ``AcceptedChannel``s, and a client connected to it.
    static func listenerAndClient() async throws -> (NIOAsyncChannel<AcceptedChannel<ByteBuffer, ByteBuffer>, Never>, Connection) {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture { try AcceptedChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: child) }
            }
        let port = try #require(server.channel.localAddress?.port)
        let client = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try Connection(wrappingChannelSynchronously: channel) }
            }
        return (server, client)
    }

    @Test func anUnservedConnectionIsClosed() async throws {
        let (server, client) = try await Self.listenerAndClient()
        try await server.executeThenClose { connections in
            // Taken from the accept loop and dropped without being served.
            var iterator = connections.makeAsyncIterator()
            _ = try await iterator.next()
        }
        let bytes = try await client.executeThenClose { inbound, _ in
            var count = 0
            for try await chunk in inbound { count += chunk.readableBytes }
            return count
        }
        #expect(bytes == 0)
    }

    @Test func aTakenConnectionIsServedOnce() async throws {
        let (server, client) = try await Self.listenerAndClient()
        try await server.executeThenClose { connections in
            var iterator = connections.makeAsyncIterator()
            let accepted = try #require(try await iterator.next())
            let connection = try #require(accepted.take())
            #expect(accepted.take() == nil)
            try await connection.executeThenClose { _, outbound in
                try await outbound.write(ByteBuffer(string: "hello"))
            }
        }
        let received = try await client.executeThenClose { inbound, _ in
            var text = ""
            for try await chunk in inbound { text += String(buffer: chunk) }
            return text
        }
        #expect(received == "hello")
    }
}
