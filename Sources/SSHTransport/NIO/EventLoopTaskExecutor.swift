import NIOCore

/// A channel's event loop as one executor for both kinds of Swift isolation: the serial executor
/// of the actors that live on the loop (the connection runtime) and the task executor that tasks
/// working with that connection prefer (`withTaskExecutorPreference`, `addTask(executorPreference:)`).
///
/// Every job runs on the loop with this executor as both its serial and its task executor.
/// Swift's runtime then sees a task that moves between the connection's actor and its own
/// nonisolated code on the loop as already in place, and continues it at once instead of
/// queueing a job on the loop for each move. Everything that runs on a loop is serial with
/// everything else there, so the loop is one isolation domain whichever code runs.
/// Work that may block for long does not belong here: the loop's I/O waits for it.
public final class EventLoopTaskExecutor: TaskExecutor, SerialExecutor {
    private let loop: any EventLoop

    /// The executor of `loop`.
    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    /// The loop this executor runs jobs on.
    public var eventLoop: any EventLoop { loop }

    /// Runs `job` on the loop, as isolated to this executor and with it as the task executor.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
        }
    }

    /// This executor as a serial executor, for an actor's `unownedExecutor`.
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    /// Whether the caller runs on the loop: what `assumeIsolated` asks.
    public func checkIsolated() {
        precondition(loop.inEventLoop, "not on the connection's event loop")
    }
}
