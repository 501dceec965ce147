import NIOConcurrencyHelpers
import NIOCore

/// A channel's output on its way from the connection runtime to the channel's reader, handed
/// over in batches: the runtime appends what each packet brings and wakes the reader once it has
/// handled the packets at hand, so a burst of packets costs one wake-up of the reader's thread
/// rather than one per packet. Back-pressure is the channel window's (RFC 4254 §5.2).
final class ChannelOutputQueue: Sendable {
    private struct State {
        var items: [ChannelOutput] = []
        var waiter: CheckedContinuation<[ChannelOutput]?, any Error>?
        /// Set once no more output comes: nil for a clean end, or the connection's failure.
        var ending: Result<Void, any Error>?
        /// The reader's task was cancelled while it waited: the queue is over for it.
        var abandoned = false
    }

    private let state = NIOLockedValueBox(State())

    /// Whether the reader waits for output.
    var readerIsWaiting: Bool { state.withLockedValue { $0.waiter != nil } }

    /// Adds `element`; the reader sees it after the next ``wake()``. Returns true when the reader
    /// waits for it (so the caller must call ``wake()``).
    func append(_ element: ChannelOutput) -> Bool {
        state.withLockedValue { state in
            guard state.ending == nil, !state.abandoned else { return false }
            state.items.append(element)
            return state.waiter != nil
        }
    }

    /// Hands what was appended to a waiting reader.
    func wake() {
        let handOver = state.withLockedValue { state -> (CheckedContinuation<[ChannelOutput]?, any Error>, [ChannelOutput])? in
            guard let waiter = state.waiter, !state.items.isEmpty else { return nil }
            state.waiter = nil
            defer { state.items = [] }
            return (waiter, state.items)
        }
        if let (waiter, items) = handOver { waiter.resume(returning: items) }
    }

    /// Ends the output: the reader gets what is queued, then the end (or `error`).
    func finish(throwing error: (any Error)? = nil) {
        let handOver = state.withLockedValue { state -> (CheckedContinuation<[ChannelOutput]?, any Error>, Result<[ChannelOutput]?, any Error>)? in
            guard state.ending == nil else { return nil }
            state.ending = error.map { .failure($0) } ?? .success(())
            guard let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, Result { try Self.take(from: &state)?.items })
        }
        if let (waiter, result) = handOver { waiter.resume(with: result) }
    }

    /// Everything appended since the last call, waiting while there is nothing; nil at the end,
    /// or when the calling task is cancelled (as an `AsyncThrowingStream` ends). One reader.
    /// Runs in the caller's isolation (`isolation`), waiting included, so a reader isolated to
    /// the connection's executor is resumed there without a hop.
    func next(isolation: isolated (any Actor)? = #isolation) async throws -> [ChannelOutput]? {
        if let taken = try state.withLockedValue({ state in try Self.take(from: &state) }) { return taken.items }
        return try await withTaskCancellationHandler {
            _ = isolation  // The operation keeps the caller's isolation.
            return try await withCheckedThrowingContinuation(isolation: isolation) { continuation in
                let taken: Result<[ChannelOutput]?, any Error>? = state.withLockedValue { state in
                    do {
                        if let taken = try Self.take(from: &state) { return .success(taken.items) }
                    } catch {
                        return .failure(error)
                    }
                    state.waiter = continuation
                    return nil
                }
                if let taken { continuation.resume(with: taken) }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<[ChannelOutput]?, any Error>? in
                state.abandoned = true
                state.items = []
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: nil)
        }
    }

    /// What a reader gets now without waiting, as ``next(isolation:)`` would hand it (for a
    /// reader that takes over, ``ConnectionRuntime/consumeOutput(of:_:)``): queued items, or the
    /// end (or the failure thrown); nil when nothing is queued.
    func takeNow() throws -> Taken? {
        try state.withLockedValue { state in try Self.take(from: &state) }
    }

    /// What a reader is handed now.
    enum Taken {
        case items([ChannelOutput])
        case end

        var items: [ChannelOutput]? {
            if case .items(let items) = self { return items }
            return nil
        }
    }

    /// What a reader gets without waiting: queued items, or the end (or the failure thrown);
    /// nil when it must wait.
    private static func take(from state: inout State) throws -> Taken? {
        if !state.items.isEmpty {
            defer { state.items = [] }
            return .items(state.items)
        }
        if state.abandoned { return .end }
        switch state.ending {
        case .success?: return .end
        case .failure(let error)?: throw error
        case nil: return nil
        }
    }
}
