import Dispatch
import NIOConcurrencyHelpers
import Testing

@testable import SSHServer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads that wait for spawned processes: reused one after another, and as many at once as there
/// are processes.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct ProcessWaitersTests {
    /// Runs `work` on a waiter and returns the thread it ran on once it has run.
    private static func threadRunning(on waiters: ProcessWaiters) async -> pthread_t {
        await withCheckedContinuation { (continuation: CheckedContinuation<pthread_t, Never>) in
            #expect(waiters.run { continuation.resume(returning: pthread_self()) } == 0)
        }
    }

    /// Polls until a thread is parked (no timing is asserted; the suite's time limit bounds the wait).
    private static func waitForIdle(_ waiters: ProcessWaiters) async throws {
        while waiters.idleCount == 0 { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func oneThreadServesProcessesOneAfterAnother() async throws {
        let waiters = ProcessWaiters()
        let first = await Self.threadRunning(on: waiters)
        for _ in 0..<20 {
            try await Self.waitForIdle(waiters)
            let next = await Self.threadRunning(on: waiters)
            #expect(pthread_equal(next, first) != 0)
        }
    }

    @Test func processesWaitedForAtOnceEachHaveAThread() async throws {
        let waiters = ProcessWaiters()
        let count = 16
        let started = NIOLockedValueBox(0)
        let release = DispatchSemaphore(value: 0)
        let allStarted = DispatchSemaphore(value: 0)
        let finished = DispatchGroup()
        for _ in 0..<count {
            finished.enter()
            #expect(
                waiters.run {
                    let now = started.withLockedValue { value -> Int in
                        value += 1
                        return value
                    }
                    if now == count { allStarted.signal() }
                    // Blocks as a wait for a long-running process does.
                    release.wait()
                    finished.leave()
                } == 0)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            DispatchQueue.global().async {
                allStarted.wait()
                for _ in 0..<count { release.signal() }
                finished.wait()
                continuation.resume()
            }
        }
        #expect(started.withLockedValue { $0 } == count)
        try await Self.waitForIdle(waiters)
        #expect(waiters.idleCount <= count)
    }
}
