import Foundation
import Logging
import NIOConcurrencyHelpers
import SSHClient

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension SSHCommand {
    /// The environment variable that makes a background process ControlPersist's master, with
    /// the descriptor it reports on once it listens.
    static let persistVariable = "PARAMIKO_SSH_PERSIST_FD"

    /// ControlPersist with no master yet: starts this same command in the background as the master
    /// (it connects, authenticates, listens on `path`, reports, and detaches itself), then carries
    /// out this command's own session as that master's client, as ssh's `control_persist_detach`
    /// leaves its parent a client of the master it forked.
    static func persist(
        path: String, settings: SSHClientSettings, request: InteractiveSession.Request?, terminal: Bool,
        verbosity: LogVerbosity, logger: Logger
    ) -> Int32 {
        let started = goToBackground(reportingOn: persistVariable, newSession: false)
        guard started == 0 else { return started }
        let client = MuxClient(path: path, settings: settings, verbosity: verbosity, logger: logger)
        if let status = client.runSession(request, wantsTerminal: terminal) { return status }
        MuxClient.tell("Control socket connect(\(path)): the background master is not listening\r\n")
        return 255
    }

    /// ControlPersist's master once it listens: leaves our terminal (its own session, standard
    /// descriptors on /dev/null), as a daemon does.
    static func detach() {
        _ = setsid()
        let null = open("/dev/null", O_RDWR)
        guard null >= 0 else { return }
        for descriptor: Int32 in [0, 1, 2] { dup2(null, descriptor) }
        if null > 2 { close(null) }
    }

    /// Serves as ControlPersist's master until a client asks it to exit, the connection ends,
    /// SIGTERM, SIGINT or SIGHUP, or (with a limit) no client has been connected for `idleLimit`
    /// seconds. Returns the exit status: 255 when it could not listen.
    static func persistAsMaster(_ master: MuxMaster?, ending: Ending, idleLimit: Int) async -> Int32 {
        guard let master else { return 255 }
        let watch = SignalWatch(signals: [SIGTERM, SIGINT, SIGHUP]) { ending.end() }
        defer { watch.cancel() }
        while !ending.isEnded {
            if idleLimit > 0, let idle = master.idleTime, idle >= .seconds(idleLimit) { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return 0
    }
}

/// A one-time event that any thread may set and tasks await: the end of a master's or a `-N`
/// session's wait.
final class Ending: Sendable {
    private let state = NIOLockedValueBox<(ended: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Sets the event; the waiters go on.
    func end() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Whether ``end()`` was called.
    var isEnded: Bool { state.withLockedValue { $0.ended } }

    /// Waits for ``end()``.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ended = state.withLockedValue { state -> Bool in
                if !state.ended { state.waiters.append(continuation) }
                return state.ended
            }
            if ended { continuation.resume() }
        }
    }
}
