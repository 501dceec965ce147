import NIOCore

/// A channel's event loop as a task executor. A task that prefers it
/// (`withTaskExecutorPreference`, `addTask(executorPreference:)`) runs its nonisolated code on
/// the loop, so work resumed by the transport on the loop goes on there without a wake-up of
/// another thread and a hop back. Work that may block for long does not belong there: the
/// loop's I/O waits for it.
public final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    /// The executor of `loop`.
    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    /// Runs `job` on the loop.
    public func enqueue(_ job: consuming ExecutorJob) {
        loop.executor.enqueue(job)
    }
}
