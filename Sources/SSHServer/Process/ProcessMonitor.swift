import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits for a spawned process on a small thread (``ProcessWaiters``), blocked in `waitid`, so that the exit
/// (RFC 4254 §6.10) is known at once without holding a cooperative or event-loop thread, and sends
/// it signals (RFC 4254 §6.9). The process is reaped under the same lock the signals are sent
/// under, so a signal never reaches a recycled process id. It also owns the duplicate of a
/// terminal's master that window-change requests (RFC 4254 §6.7) resize, closed once the process is
/// reaped.
final class ProcessMonitor: Sendable {
    /// The process (and its process group and session).
    let pid: pid_t

    private typealias Waiter = CheckedContinuation<ProcessTermination, Never>

    private struct State: Sendable {
        var termination: ProcessTermination?
        var waiters: [Waiter] = []
        var terminal: Int32?
    }

    private let state: NIOLockedValueBox<State>

    /// Watches `pid`; `terminal` (owned from now on) is a duplicate of its terminal's master, if any.
    init(pid: pid_t, terminal: Int32?) {
        self.pid = pid
        self.state = NIOLockedValueBox(State(terminal: terminal))
    }

    /// Starts waiting on one of ``ProcessWaiters``' threads. When no thread can be had, the process is
    /// killed and reaped before this throws.
    func start() throws(SSHServerError) {
        let status = ProcessWaiters.shared.run { [self] in self.waitForExit() }
        guard status != 0 else { return }
        kill(-pid, SIGKILL)
        var exitStatus: Int32 = 0
        while waitpid(pid, &exitStatus, 0) < 0 && errno == EINTR {}
        state.withLockedValue { state in
            if let terminal = state.terminal { close(terminal) }
            state.terminal = nil
        }
        throw SSHServerError(
            .spawnFailed, "cannot start a thread to wait for the process: \(SystemFunctions.errorString(status))")
    }

    /// Sends `signal` to the process group unless the process has been reaped; false when it has or
    /// `kill` failed.
    func signal(_ signal: Int32) -> Bool {
        state.withLockedValue { state in
            guard state.termination == nil else { return false }
            return kill(-pid, signal) == 0
        }
    }

    /// Runs `body` with the terminal master duplicate while the process lives; nil without one.
    func withTerminal<Result>(_ body: (Int32) -> Result) -> Result? {
        state.withLockedValue { state in state.terminal.map(body) }
    }

    /// How the process ended, once it has.
    func wait() async -> ProcessTermination {
        if let termination = state.withLockedValue({ $0.termination }) { return termination }
        return await withCheckedContinuation { continuation in
            let termination: ProcessTermination? = state.withLockedValue { state in
                if let termination = state.termination { return termination }
                state.waiters.append(continuation)
                return nil
            }
            if let termination { continuation.resume(returning: termination) }
        }
    }

    /// The thread's work: wait without reaping, then reap under the lock and wake the waiters.
    private func waitForExit() {
        while true {
            var info = siginfo_t()
            if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR { continue }
            let outcome = state.withLockedValue { state -> (ProcessTermination, [Waiter])? in
                var status: Int32 = 0
                var reaped: pid_t
                repeat { reaped = waitpid(pid, &status, WNOHANG) } while reaped < 0 && errno == EINTR
                // Still running: waitid failed without cause; never block under the lock.
                if reaped == 0 { return nil }
                // Someone else reaped it (SIGCHLD ignored, or a stray waitpid(-1)): the status is lost.
                let termination = reaped == pid ? ProcessTermination(waitStatus: status) : .exited(255)
                state.termination = termination
                if let terminal = state.terminal { close(terminal) }
                state.terminal = nil
                defer { state.waiters = [] }
                return (termination, state.waiters)
            }
            guard let (termination, waiters) = outcome else {
                usleep(10_000)
                continue
            }
            for waiter in waiters { waiter.resume(returning: termination) }
            return
        }
    }
}
