import NIOCore
import NIOEmbedded
import Testing

@testable import SSHTransport

/// Counts the reads that reach the head of a pipeline.
private final class ReadCounter: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    var reads = 0

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

@Suite struct TransportHandlerTests {
    /// While an asynchronous host-key decision is pending (a prompt), the handler passes no read
    /// on, so a server cannot make the client buffer without bound; the read asked for meanwhile
    /// goes on after the verdict, and the key exchange completes.
    @Test(.timeLimit(.minutes(1)))
    func readsWaitForTheHostKeyDecision() async throws {
        let (asked, askedContinuation) = AsyncStream<Void>.makeStream()
        let (decisions, decide) = AsyncStream<Bool>.makeStream()
        let handler = TransportHandler(configuration: InMemoryPair.clientConfiguration()) { _, _ in
            askedContinuation.yield()
            for await decision in decisions { return decision }
            return false
        }
        let counter = ReadCounter()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandlers(counter, handler)
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 22)).get()

        var server = TransportStateMachine(configuration: InMemoryPair.serverConfiguration())
        var toClient = ByteBuffer()
        try server.start(now: .now, writingInto: &toClient)
        var serverEvents: [TransportEvent] = []
        /// Moves what each side wrote to the other.
        func exchange() throws {
            while let bytes = try channel.readOutbound(as: ByteBuffer.self) { server.receive(bytes) }
            while let event = try server.nextEvent(now: .now, writingInto: &toClient) { serverEvents.append(event) }
            if toClient.readableBytes > 0 {
                try channel.writeInbound(toClient)
                toClient.clear()
            }
        }
        var waiting = asked.makeAsyncIterator()
        try exchange()
        try exchange()
        _ = await waiting.next()

        let before = counter.reads
        channel.read()
        #expect(counter.reads == before)

        decide.yield(true)
        for _ in 0..<2000 where counter.reads == before {
            try await Task.sleep(for: .milliseconds(5))
            channel.embeddedEventLoop.run()
        }
        #expect(counter.reads == before + 1)
        try exchange()
        #expect(serverEvents.contains { if case .keyExchangeComplete = $0 { true } else { false } })
        _ = try? channel.finish()
    }
}
