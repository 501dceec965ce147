import NIOCore

/// The byte stream SFTP runs over (ARCHITECTURE.md: SFTP "runs over any byte stream"): an inbound
/// `AsyncSequence` of `ByteBuffer` chunks, cut anywhere, and an ``SFTPByteWriter`` for the outbound bytes.
///
/// An SSH session channel's data (draft-ietf-secsh-filexfer-02 §1: the `sftp` subsystem), a subprocess's
/// pipes (``SFTPPipeStream``), a socket or an in-memory pair (``makePair()``) all fit.
public struct SFTPByteStream: Sendable {
    /// Where outbound bytes go.
    public let writer: any SFTPByteWriter
    private let consume:
        @Sendable (_ isolation: isolated (any Actor)?, _ body: (ByteBuffer) async throws -> Void) async throws -> Void
    /// For streams with a reader thread (pipes): reads straight into one buffer and hands it to a synchronous
    /// consumer on that thread. Used instead of ``forEachInboundChunk(_:)``, never with it.
    let pushInbound: (@Sendable (InboundPush) -> Void)?
    /// For streams that hand their chunks over synchronously as they arrive (an SSH channel's data, in the
    /// job that decrypted it): calls the taker with each chunk, in order, until the peer's EOF or until the
    /// taker throws, which the call then throws. Used instead of ``forEachInboundChunk(_:)``, never with it.
    let takeInbound: TakeInbound?
    /// Where the client's reader runs when not on Swift's global executor: for an SSH channel, its
    /// connection's event loop, so responses are handled (and the next requests sent) on the thread
    /// that decrypted them.
    public let readerExecutor: (any TaskExecutor)?

    /// Calls a synchronous taker with each inbound chunk as it arrives, until EOF or the taker throws.
    public typealias TakeInbound = @Sendable (_ take: sending @escaping (ByteBuffer) throws -> Void) async throws -> Void

    /// A stream of the chunks of `inbound` and the writer `writer`. The inbound sequence is iterated once,
    /// by a task that prefers `readerExecutor` when one is given. A client reads through `takeInbound`
    /// instead when it is given: the same chunks, handed to it as they arrive.
    public init<Inbound: AsyncSequence & Sendable>(
        inbound: Inbound, writer: any SFTPByteWriter, readerExecutor: (any TaskExecutor)? = nil,
        takeInbound: TakeInbound? = nil
    ) where Inbound.Element == ByteBuffer {
        self.writer = writer
        self.consume = { isolation, body in
            var chunks = inbound.makeAsyncIterator()
            while let chunk = try await chunks.next(isolation: isolation) { try await body(chunk) }
        }
        self.pushInbound = nil
        self.takeInbound = takeInbound
        self.readerExecutor = readerExecutor
    }

    /// A stream whose inbound side is read by `consume`, or pushed by `pushInbound` when given.
    init(
        writer: any SFTPByteWriter,
        consume: @escaping @Sendable (_ isolation: isolated (any Actor)?, _ body: (ByteBuffer) async throws -> Void)
            async throws -> Void,
        pushInbound: (@Sendable (InboundPush) -> Void)?
    ) {
        self.writer = writer
        self.consume = consume
        self.pushInbound = pushInbound
        self.takeInbound = nil
        self.readerExecutor = nil
    }

    /// Feeds every inbound chunk to `body`, in order, until the peer's EOF; call it once. The chunks are
    /// awaited in the caller's isolation (`isolation`).
    public func forEachInboundChunk(
        isolation: isolated (any Actor)? = #isolation, _ body: (ByteBuffer) async throws -> Void
    ) async throws {
        try await consume(isolation, body)
    }

    /// Two streams joined back to back in memory: what one writes, the other reads.
    /// For running an ``SFTPServer`` and an ``SFTPClient`` in one process.
    public static func makePair() -> (SFTPByteStream, SFTPByteStream) {
        let (leftInbound, toLeft) = AsyncStream<ByteBuffer>.makeStream()
        let (rightInbound, toRight) = AsyncStream<ByteBuffer>.makeStream()
        return (
            SFTPByteStream(inbound: leftInbound, writer: InMemoryWriter(continuation: toRight)),
            SFTPByteStream(inbound: rightInbound, writer: InMemoryWriter(continuation: toLeft))
        )
    }
}

/// A synchronous consumer of a reader thread's bytes.
struct InboundPush: Sendable {
    /// Called after each read with every byte not yet consumed; consumes what it can by moving the reader
    /// index, and returns false to stop reading.
    let bytes: @Sendable (inout ByteBuffer) -> Bool
    /// Called once at the end: nil at EOF, or the failure.
    let end: @Sendable (SFTPError?) -> Void
}

/// The writer of an in-memory pair: yields to the other side's inbound stream.
private struct InMemoryWriter: SFTPByteWriter {
    let continuation: AsyncStream<ByteBuffer>.Continuation

    func write(_ bytes: ByteBuffer) async throws {
        if case .terminated = continuation.yield(bytes) {
            throw SFTPError(.connectionLost, "the other end of the in-memory stream is gone")
        }
    }

    func finish() async { continuation.finish() }
}
