import NIOCore

/// A connection's event loop as a task executor: a task that prefers it runs its nonisolated
/// code on the loop too, so the runtime's reader, resumed by the transport on the loop, goes on
/// there without a wake-up of another thread and a hop back.
final class EventLoopTaskExecutor: TaskExecutor {
    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        loop.executor.enqueue(job)
    }
}
