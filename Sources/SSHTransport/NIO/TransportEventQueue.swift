import NIOConcurrencyHelpers
import NIOCore

/// The end of a transport's pipeline: the ``TransportEvent``s that ``TransportHandler`` fires,
/// queued for one asynchronous reader, with back-pressure on the socket.
///
/// A reader running on the channel's event loop (the connection runtime does) takes a queued
/// event without leaving the loop, and one that waits is resumed by an in-loop job rather than
/// by a wake-up of another thread. While ``highWatermark`` events are queued, reads from the
/// socket stop; they resume once the reader has brought the queue down to ``lowWatermark``.
final class TransportEventQueue: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = TransportEvent
    typealias OutboundIn = Never

    /// Queued events at which reading from the socket stops.
    static let highWatermark = 32
    /// Queued events at which reading starts again.
    static let lowWatermark = 8

    private struct State {
        var queue = CircularBuffer<TransportEvent>(initialCapacity: 16)
        var waiter: CheckedContinuation<TransportEvent, any Error>?
        /// Why no more events will come, once the channel ended.
        var ending: (any Error)?
        /// A read held back by ``read(context:)`` while the queue was full.
        var readHeld = false
        var completedKeyExchanges = 0
    }

    private enum Taken {
        case event(TransportEvent, resumeReading: Bool)
        case ended(any Error)
        case empty
    }

    private let state = NIOLockedValueBox(State())
    private let loop: any EventLoop
    /// Set while the handler is in the pipeline; used on the event loop only.
    private var context: ChannelHandlerContext?
    /// The reader called on the event loop at the end of each read cycle and when the channel
    /// ends, once one took over from ``next(isolation:)``; used on the event loop only.
    private var cycleReader: (@Sendable () -> Void)?

    init(loop: any EventLoop) {
        self.loop = loop
    }

    /// How many key exchanges have completed, the first included, as far as events were read.
    var completedKeyExchanges: Int { state.withLockedValue { $0.completedKeyExchanges } }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        end(TransportError(.closed, "the connection closed"))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let event = unwrapInboundIn(data)
        state.withLockedValue { $0.queue.append(event) }
    }

    /// The reader is woken once per read cycle, with every packet the cycle brought waiting for
    /// it, rather than once per packet.
    func channelReadComplete(context: ChannelHandlerContext) {
        if let cycleReader {
            cycleReader()
            context.fireChannelReadComplete()
            return
        }
        let handOver = state.withLockedValue { state -> (CheckedContinuation<TransportEvent, any Error>, TransportEvent)? in
            guard let waiter = state.waiter, let event = state.queue.popFirst() else { return nil }
            state.waiter = nil
            Self.count(event, in: &state)
            return (waiter, event)
        }
        if let (waiter, event) = handOver { waiter.resume(returning: event) }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        end(TransportError(.closed, "the connection closed"))
        context.fireChannelInactive()
    }

    func read(context: ChannelHandlerContext) {
        let hold = state.withLockedValue { state -> Bool in
            state.readHeld = state.queue.count >= Self.highWatermark
            return state.readHeld
        }
        if !hold { context.read() }
    }

    /// Calls `reader` on the event loop whenever events have arrived (at the end of each read
    /// cycle) and when the channel ends, from now on, instead of resuming a waiting
    /// ``next(isolation:)``: the reader takes them with ``nextQueued()`` in the same job as the
    /// socket read, without a suspension. Call it on the event loop, with no reader waiting.
    func readCycles(with reader: @escaping @Sendable () -> Void) {
        loop.preconditionInEventLoop()
        cycleReader = reader
    }

    /// Ends the queue: the reader gets what is queued, then `error`. Only the first ending counts.
    private func end(_ error: any Error) {
        if let cycleReader {
            let first = state.withLockedValue { state in
                guard state.ending == nil else { return false }
                state.ending = error
                return true
            }
            // Later on the loop: the channel may end inside a write the reader's own code made.
            if first { loop.execute { cycleReader() } }
            return
        }
        let handOver = state.withLockedValue { state -> (CheckedContinuation<TransportEvent, any Error>, Result<TransportEvent, any Error>)? in
            guard state.ending == nil else { return nil }
            state.ending = error
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            // Events still queued come first; the reader meets the end after them.
            guard let event = state.queue.popFirst() else { return (waiter, .failure(error)) }
            Self.count(event, in: &state)
            return (waiter, .success(event))
        }
        if let (waiter, result) = handOver { waiter.resume(with: result) }
    }

    /// The next event; throws once the channel has ended and its queued events were read, or
    /// when the reading task is cancelled. One reader at a time.
    /// Runs in the caller's isolation (`isolation`), waiting included, so a reader isolated to
    /// the connection's executor is resumed there without a hop.
    func next(isolation: isolated (any Actor)? = #isolation) async throws -> TransportEvent {
        if let event = try nextQueued() { return event }
        return try await withTaskCancellationHandler {
            _ = isolation  // The operation keeps the caller's isolation.
            return try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
                let taken = state.withLockedValue { state -> Taken in
                    let taken = Self.take(from: &state)
                    guard case .empty = taken else { return taken }
                    // Cancelled before this waiter was in place: the cancellation handler found none
                    // to resume (it runs under the same lock once the task is marked cancelled).
                    if Task.isCancelled { return .ended(CancellationError()) }
                    state.waiter = continuation
                    return taken
                }
                switch taken {
                case .event(let event, let resumeReading):
                    if resumeReading { resumeReadingOnLoop() }
                    continuation.resume(returning: event)
                case .ended(let error):
                    continuation.resume(throwing: error)
                case .empty:
                    break
                }
            }
        } onCancel: {
            // A cancelled reader stops waiting; what is queued stays for the next one.
            let waiter = state.withLockedValue { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The next event if one is queued, without waiting; nil when none is. Throws once the
    /// channel has ended and its queued events were read.
    func nextQueued() throws -> TransportEvent? {
        switch state.withLockedValue({ state in Self.take(from: &state) }) {
        case .event(let event, let resumeReading):
            if resumeReading { resumeReadingOnLoop() }
            return event
        case .ended(let error):
            throw error
        case .empty:
            return nil
        }
    }

    private static func take(from state: inout State) -> Taken {
        if let event = state.queue.popFirst() {
            count(event, in: &state)
            let resume = state.readHeld && state.queue.count <= lowWatermark
            if resume { state.readHeld = false }
            return .event(event, resumeReading: resume)
        }
        if let ending = state.ending { return .ended(ending) }
        return .empty
    }

    private static func count(_ event: TransportEvent, in state: inout State) {
        if case .keyExchangeComplete = event { state.completedKeyExchanges += 1 }
    }

    private func resumeReadingOnLoop() {
        loop.execute { [self] in context?.read() }
    }
}

/// A NIO channel set up for the SSH transport: a ``TransportHandler`` at the end of its pipeline
/// and the queue its events are read from. ``TransportConnection/withEstablished(_:role:_:)``
/// runs a connection over it.
public struct TransportChannel: Sendable {
    /// The NIO channel.
    public let channel: any Channel
    /// The channel's event loop as a task executor: the connection's work that waits for its
    /// packets runs there.
    public let taskExecutor: EventLoopTaskExecutor
    let events: TransportEventQueue

    /// Adds a ``TransportHandler`` built from `configuration` (a client judges host keys with
    /// `hostKeyPolicy`) and the event queue to the end of `channel`'s pipeline. Call it on the
    /// channel's event loop, from a channel initializer.
    public static func install(
        on channel: any Channel, configuration: TransportConfiguration, hostKeyPolicy: HostKeyPolicy? = nil
    ) throws -> TransportChannel {
        let events = TransportEventQueue(loop: channel.eventLoop)
        // Large reads: a socket read can hold many packets, which are then handled in one cycle.
        try channel.syncOptions?.setOption(
            .recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 262_144))
        try channel.pipeline.syncOperations.addHandlers(
            TransportHandler(configuration: configuration, hostKeyPolicy: hostKeyPolicy), events)
        return TransportChannel(channel: channel, taskExecutor: EventLoopTaskExecutor(channel.eventLoop), events: events)
    }
}
