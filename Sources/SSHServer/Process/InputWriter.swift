import NIOConcurrencyHelpers
import NIOCore

/// Writes channel data (RFC 4254 §5.2) to a process's standard input or terminal master. Writes are
/// queued without waiting while less than ``highWatermark`` bytes are on their way to the pipe; past
/// that a writer suspends until the process has read the queue down to ``lowWatermark``. So a process
/// that does not read holds its writers (and through them the SSH window) without growing memory, and
/// no thread blocks. Chunks queued while the event loop is busy go out in one batch with one flush.
final class InputWriter: Sendable {
    /// Bytes queued past which writers wait.
    static let highWatermark = 1 << 20
    /// Bytes queued at which waiting writers resume.
    static let lowWatermark = 256 << 10

    private struct State: Sendable {
        /// Bytes accepted and not yet written to the pipe.
        var queued = 0
        /// Chunks accepted and not yet handed to the channel.
        var batch: [ByteBuffer] = []
        /// Whether a task to hand ``batch`` to the channel is scheduled on the event loop.
        var batchScheduled = false
        /// The completion of the last batch handed to the channel.
        var lastWrite: EventLoopFuture<Void>?
        var waiters: [CheckedContinuation<Void, Never>] = []
        var failure: String?
        var closed = false
    }

    private enum Admission {
        case closed
        case failed(String)
        case queued(scheduleBatch: Bool, mustWait: Bool)
    }

    private let channel: EventLoopFuture<any Channel>
    private let state = NIOLockedValueBox(State())
    private let resolved = NIOLockedValueBox<(any Channel)?>(nil)

    /// A writer for the output side of `channel`.
    init(channel: EventLoopFuture<any Channel>) {
        self.channel = channel
    }

    /// Queues `data`, waiting first if the queue is over the high watermark.
    func write(_ data: ByteBuffer) async throws(SSHServerError) {
        let channel = try await resolvedChannel()
        let admission = state.withLockedValue { state -> Admission in
            if state.closed { return .closed }
            if let failure = state.failure { return .failed(failure) }
            state.queued += data.readableBytes
            state.batch.append(data)
            let schedule = !state.batchScheduled
            state.batchScheduled = true
            return .queued(scheduleBatch: schedule, mustWait: state.queued > Self.highWatermark)
        }
        switch admission {
        case .closed:
            throw SSHServerError(.inputClosed, "standard input is closed")
        case .failed(let failure):
            throw SSHServerError(.inputClosed, failure)
        case .queued(let scheduleBatch, let mustWait):
            if scheduleBatch {
                channel.eventLoop.execute { self.writeBatch(to: channel) }
            }
            guard mustWait else { return }
            await withCheckedContinuation { continuation in
                let resume = state.withLockedValue { state in
                    if state.queued <= Self.lowWatermark || state.failure != nil { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resume { continuation.resume() }
            }
            if let failure = state.withLockedValue({ $0.failure }) {
                throw SSHServerError(.inputClosed, failure)
            }
        }
    }

    /// Closes the input once the writes before have completed: `finalBytes` are written and the
    /// descriptor stays open (a terminal's end-of-file character), or without them the output side of
    /// the channel is closed (EOF on a pipe). Throws when an earlier write failed. Closing again does
    /// nothing.
    func close(writingInstead finalBytes: ByteBuffer?) async throws(SSHServerError) {
        let channel = try await resolvedChannel()
        let first = state.withLockedValue { state in
            defer { state.closed = true }
            return !state.closed
        }
        guard first else { return }
        // On the event loop, hand over what is still queued (a writer may have queued a chunk before
        // this closed and not yet scheduled its batch), then wait for the last write: writes complete
        // in order.
        let last = channel.eventLoop.flatSubmit {
            self.writeBatch(to: channel)
            return self.state.withLockedValue { $0.lastWrite } ?? channel.eventLoop.makeSucceededVoidFuture()
        }
        do {
            try await last.get()
        } catch {
            throw SSHServerError(.inputClosed, Self.failureDetail(error))
        }
        if let finalBytes {
            _ = try? await channel.writeAndFlush(finalBytes).get()
        } else {
            _ = try? await channel.close(mode: .output).get()
        }
    }

    /// Hands the chunks queued so far to `channel` with one flush; runs on its event loop.
    private func writeBatch(to channel: any Channel) {
        let batch = state.withLockedValue { state -> [ByteBuffer] in
            state.batchScheduled = false
            defer { state.batch.removeAll(keepingCapacity: true) }
            return state.batch
        }
        guard let last = batch.last else { return }
        let size = batch.reduce(0) { $0 + $1.readableBytes }
        for buffer in batch.dropLast() { channel.write(buffer, promise: nil) }
        let written = channel.writeAndFlush(last)
        state.withLockedValue { $0.lastWrite = written }
        written.whenComplete { result in self.written(size, result) }
    }

    /// Accounts for a completed write, waking writers once the queue is short enough or writing failed.
    private func written(_ size: Int, _ result: Result<Void, any Error>) {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.queued -= size
            if case .failure(let error) = result, state.failure == nil {
                state.failure = Self.failureDetail(error)
            }
            guard state.queued <= Self.lowWatermark || state.failure != nil else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// The channel, from the cache once it is known: awaiting even a completed future hops to its
    /// event loop and back.
    private func resolvedChannel() async throws(SSHServerError) -> any Channel {
        if let resolved = resolved.withLockedValue({ $0 }) { return resolved }
        do {
            let channel = try await channel.get()
            resolved.withLockedValue { $0 = channel }
            return channel
        } catch {
            throw SSHServerError(.inputClosed, "the process's input could not be set up: \(error)")
        }
    }

    private static func failureDetail(_ error: any Error) -> String {
        "the process no longer reads its input: \(error)"
    }
}
