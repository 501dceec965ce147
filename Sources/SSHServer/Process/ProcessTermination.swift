/// How a process ended, as the server reports it when the session closes: `exit-status` or
/// `exit-signal` (RFC 4254 §6.10).
public enum ProcessTermination: Sendable, Hashable {
    /// The process exited with this status (`exit-status`).
    case exited(UInt32)
    /// The process was killed by a signal (`exit-signal`): its name without `SIG` (`TERM`, `KILL`, `SEGV`,
    /// or `SIG@openssh.com` for one RFC 4254 §6.10 and Linux do not name) and whether it dumped core.
    case signaled(name: String, coreDumped: Bool)

    /// The termination a `waitpid` status word describes (an exit or a signal; stops are not waited for).
    init(waitStatus status: Int32) {
        let signal = status & 0x7f
        if signal == 0 {
            self = .exited(UInt32((status >> 8) & 0xff))
        } else {
            self = .signaled(name: SignalName.name(of: signal), coreDumped: status & 0x80 != 0)
        }
    }
}
