import Dispatch
import NIOCore

/// Frames waiting for an ``SFTPByteWriter``, written in order by one drain at a time: a task, or for a
/// ``BlockingByteWriter`` a thread of the outbox's own.
///
/// Callers append whole frames without waiting; frames appended while a write is in progress go out
/// together in the next write, so a burst of pipelined requests costs one write. Senders that must not
/// run ahead of the peer (a server answering a client that does not read) wait in ``waitForRoom()``.
final class SFTPOutbox: Sendable {
    /// Bytes queued beyond which ``waitForRoom()`` suspends.
    static let highWaterMark = 4 * 1024 * 1024
    /// The largest written buffer kept for the next batch: room for a whole pipeline of the largest WRITEs
    /// (64 of 255 KiB, rounded up to a power of two), so a busy upload fills the same two buffers over and
    /// over instead of faulting fresh pages in for every batch.
    static let largestKeptBuffer = 32 * 1024 * 1024

    private struct State {
        var pending = ByteBuffer()
        /// Bytes handed to the writer whose write has not returned yet.
        var writing = 0
        /// Actions waiting for the bytes queued or being written to fall to their limit.
        var roomActions: [(limit: Int, action: @Sendable () -> Void)] = []
        /// The buffer of the last write, cleared, kept to take the next batch without allocating.
        var spare: ByteBuffer?
        var draining = false
        var failure: SFTPError?
        var waiters: [CheckedContinuation<Void, any Error>] = []
        var flushWaiters: [CheckedContinuation<Void, any Error>] = []
        var closed = false
    }

    private let writer: any SFTPByteWriter
    private let state = Locked(State())
    private let onFailure: @Sendable (SFTPError) -> Void
    /// Set for a ``BlockingByteWriter``: the writer thread waits here for work.
    private let wakeUp: DispatchSemaphore?
    /// Where a drain task runs; nil for Swift's global executor.
    private let executor: (any TaskExecutor)?

    /// An outbox writing to `writer`; `onFailure` hears once about a write that failed. A
    /// ``BlockingByteWriter`` is written from a thread of the outbox's own until ``close()``; any other
    /// writer from a task that prefers `executor` (for an SSH channel, its connection's event loop, so
    /// a batch of requests reaches the socket without a thread hop).
    init(
        writer: any SFTPByteWriter, executor: (any TaskExecutor)? = nil,
        onFailure: @escaping @Sendable (SFTPError) -> Void = { _ in }
    ) {
        self.writer = writer
        self.executor = executor
        self.onFailure = onFailure
        if let blocking = writer as? any BlockingByteWriter {
            let wakeUp = DispatchSemaphore(value: 0)
            self.wakeUp = wakeUp
            DispatchQueue(label: "sftp.outbox.writer").async { [self] in
                while true {
                    wakeUp.wait()
                    guard drainBlocking(blocking) else { return }
                }
            }
        } else {
            self.wakeUp = nil
        }
    }

    /// Stops the writer thread once what is queued has been written; later sends fail.
    func close() {
        let due = state.withLock { state in
            state.closed = true
            if state.failure == nil {
                state.failure = SFTPError(.noConnection, "the SFTP session is closed")
            }
            return Self.dueRoomActions(&state)
        }
        wakeUp?.signal()
        for action in due { action() }
    }

    /// Appends one frame, built in place by `build` (which writes the length and body), and makes sure it
    /// gets written. Throws the failure of an earlier write, or what `build` threw (having left nothing).
    func send(_ build: (inout ByteBuffer) throws(SFTPError) -> Void) throws(SFTPError) {
        let startDrain = try state.withLock { state throws(SFTPError) -> Bool in
            if let failure = state.failure { throw failure }
            try build(&state.pending)
            guard !state.draining else { return false }
            state.draining = true
            return true
        }
        if startDrain {
            if let wakeUp {
                wakeUp.signal()
            } else {
                Task(executorPreference: executor) { await self.drain() }
            }
        }
    }

    /// Appends an encoded packet as a frame.
    func send(_ packet: SFTPPacket) throws(SFTPError) {
        try send { packet.encodeFrame(into: &$0) }
    }

    /// Suspends while more than ``highWaterMark`` bytes are queued.
    func waitForRoom() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, SFTPError>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if state.pending.readableBytes <= Self.highWaterMark { return .success(()) }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Bytes appended and not yet written: queued, or in a write that has not returned.
    var queuedBytes: Int { state.withLock { $0.pending.readableBytes + $0.writing } }

    /// Runs `action` once the bytes queued or being written are `limit` or fewer: at once when they
    /// already are, else when a write returns (or fails) and leaves that few. For senders that read
    /// their frames' contents from elsewhere (a file) and should not read far ahead of the peer.
    func whenRoom(below limit: Int, _ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.failure != nil || state.pending.readableBytes + state.writing <= limit { return true }
            state.roomActions.append((limit, action))
            return false
        }
        if now { action() }
    }

    /// The room actions whose limit is met now (all of them after a failure), removed from the state.
    private static func dueRoomActions(_ state: inout State) -> [@Sendable () -> Void] {
        guard !state.roomActions.isEmpty else { return [] }
        let queued = state.pending.readableBytes + state.writing
        let failed = state.failure != nil
        var due: [@Sendable () -> Void] = []
        state.roomActions.removeAll { entry in
            guard failed || queued <= entry.limit else { return false }
            due.append(entry.action)
            return true
        }
        return due
    }

    /// Waits until everything queued so far has been written.
    func flush() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let ready: Result<Void, SFTPError>? = state.withLock { state in
                if let failure = state.failure { return .failure(failure) }
                if !state.draining { return .success(()) }
                state.flushWaiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }

    /// Takes what is queued, or ends the drain when nothing is; resumes writers waiting for room and, at the
    /// end, those waiting for a flush.
    private func takePending() -> ByteBuffer? {
        let (chunk, waiters) = state.withLock { state -> (ByteBuffer?, [CheckedContinuation<Void, any Error>]) in
            guard state.pending.readableBytes > 0 else {
                state.draining = false
                defer { state.flushWaiters = [] }
                return (nil, state.flushWaiters)
            }
            let chunk = state.pending
            // The last write's buffer if it came back, else room for as much as goes out now (up to 1 MiB),
            // so frames are seldom copied on growth.
            state.pending = state.spare ?? ByteBufferAllocator().buffer(capacity: min(chunk.readableBytes, 1 << 20))
            state.spare = nil
            state.writing = chunk.readableBytes
            defer { state.waiters = [] }
            return (chunk, state.waiters)
        }
        for waiter in waiters { waiter.resume() }
        return chunk
    }

    /// After a write: keeps its buffer for the next batch, unless it grew past ``largestKeptBuffer``,
    /// and runs the room actions the write made due.
    private func wrote(_ chunk: inout ByteBuffer) {
        let keep = chunk.capacity <= Self.largestKeptBuffer
        if keep { chunk.clear() }
        let spare = chunk
        let due = state.withLock { state in
            state.writing = 0
            if keep { state.spare = spare }
            return Self.dueRoomActions(&state)
        }
        for action in due { action() }
    }

    /// Records a failed write and fails everyone waiting.
    private func failed(_ error: any Error) {
        let failure = (error as? SFTPError) ?? SFTPError(.connectionLost, "write failed: \(error)")
        let (waiters, due) = state.withLock { state in
            state.failure = failure
            state.draining = false
            state.writing = 0
            defer {
                state.waiters = []
                state.flushWaiters = []
            }
            return (state.waiters + state.flushWaiters, Self.dueRoomActions(&state))
        }
        for waiter in waiters { waiter.resume(throwing: failure) }
        for action in due { action() }
        onFailure(failure)
    }

    /// Writes the queue until it is empty, from a task.
    private func drain() async {
        while var chunk = takePending() {
            do {
                try await writer.write(chunk)
            } catch {
                failed(error)
                return
            }
            wrote(&chunk)
        }
    }

    /// Writes the queue until it is empty, on the writer thread; false once the thread should end.
    private func drainBlocking(_ writer: any BlockingByteWriter) -> Bool {
        while var chunk = takePending() {
            do throws(SFTPError) {
                try writer.write(blocking: chunk)
            } catch {
                failed(error)
                return false
            }
            wrote(&chunk)
        }
        return !state.withLock { $0.closed }
    }
}
