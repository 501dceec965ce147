import Dispatch
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small threads that wait for spawned processes, one process at a time each, kept idle after a
/// process ends to wait for the next one: a busy server does not make and end a thread for every
/// command it runs.
final class ProcessWaiters: Sendable {
    /// The waiters of this process.
    static let shared = ProcessWaiters()
    /// Idle threads beyond this many end.
    private static let maximumIdle = 32
    /// How long a thread stays idle before it ends.
    private static let idleLifetime = DispatchTimeInterval.seconds(60)
    /// Stack size of a waiting thread: it only runs a wait and hands the result on.
    private static let stackSize = 128 * 1024

    private let idle = NIOLockedValueBox<[Waiter]>([])

    /// A pool of its own; servers share ``shared``.
    init() {}

    /// Runs `work` on an idle waiting thread, or on a new one. Returns 0, or `pthread_create`'s error when
    /// no thread could be made (then `work` does not run).
    func run(_ work: @escaping @Sendable () -> Void) -> Int32 {
        if let waiter = idle.withLockedValue({ $0.popLast() }) {
            waiter.hand(work)
            return 0
        }
        return Waiter(pool: self, first: work).startThread(stackSize: Self.stackSize)
    }

    /// Threads parked, waiting for work.
    var idleCount: Int { idle.withLockedValue { $0.count } }

    /// Parks `waiter` among the idle; false when enough are idle already and its thread should end.
    fileprivate func park(_ waiter: Waiter) -> Bool {
        idle.withLockedValue { idle in
            guard idle.count < Self.maximumIdle else { return false }
            idle.append(waiter)
            return true
        }
    }

    /// Takes `waiter` back from the idle; false when a caller of ``run(_:)`` took it first.
    fileprivate func unpark(_ waiter: Waiter) -> Bool {
        idle.withLockedValue { idle in
            guard let index = idle.firstIndex(where: { $0 === waiter }) else { return false }
            idle.remove(at: index)
            return true
        }
    }

    fileprivate static var idleDeadline: DispatchTime { .now() + idleLifetime }
}

/// One waiting thread and the work handed to it.
private final class Waiter: Sendable {
    private let pool: ProcessWaiters
    private let next: NIOLockedValueBox<(@Sendable () -> Void)?>
    private let wake = DispatchSemaphore(value: 0)

    init(pool: ProcessWaiters, first: @escaping @Sendable () -> Void) {
        self.pool = pool
        self.next = NIOLockedValueBox(first)
    }

    /// Gives an idle thread its next work.
    func hand(_ work: @escaping @Sendable () -> Void) {
        next.withLockedValue { $0 = work }
        wake.signal()
    }

    /// Starts the thread, detached; returns `pthread_create`'s result.
    func startThread(stackSize: Int) -> Int32 {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(self).toOpaque()
        #if canImport(Darwin)
        var thread: pthread_t? = nil
        #else
        var thread = pthread_t()
        #endif
        let status = pthread_create(
            &thread, &attributes,
            { context in
                #if canImport(Darwin)
                Unmanaged<Waiter>.fromOpaque(context).takeRetainedValue().loop()
                #else
                Unmanaged<Waiter>.fromOpaque(context!).takeRetainedValue().loop()
                #endif
                return nil
            }, context)
        if status != 0 { Unmanaged<Waiter>.fromOpaque(context).release() }
        return status
    }

    /// Runs each work handed over, parking between them, until idle too long or too many are idle.
    private func loop() {
        while true {
            let work = next.withLockedValue { next in
                defer { next = nil }
                return next
            }
            work?()
            guard pool.park(self) else { return }
            if wake.wait(timeout: ProcessWaiters.idleDeadline) == .timedOut {
                if pool.unpark(self) { return }
                // Taken just as the wait ran out: the work is on its way.
                wake.wait()
            }
        }
    }
}
