#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal names as SSH carries them: without `SIG` (RFC 4254 §6.9, §6.10).
enum SignalName {
    /// The names a client may send in a `signal` request: RFC 4254 §6.10's list, as OpenSSH accepts.
    static let requestable: [String: Int32] = [
        "ABRT": SIGABRT, "ALRM": SIGALRM, "FPE": SIGFPE, "HUP": SIGHUP, "ILL": SIGILL, "INT": SIGINT,
        "KILL": SIGKILL, "PIPE": SIGPIPE, "QUIT": SIGQUIT, "SEGV": SIGSEGV, "TERM": SIGTERM, "USR1": SIGUSR1,
        "USR2": SIGUSR2,
    ]

    /// The signal a `signal` request names, or nil for a name outside RFC 4254 §6.10's list.
    static func number(of name: String) -> Int32? { requestable[name] }

    /// The name of `signal` for `exit-signal`: RFC 4254 §6.10's names, the system's other standard
    /// names, and OpenSSH's `SIG@openssh.com` for the rest (real-time signals).
    static func name(of signal: Int32) -> String {
        if let name = requestable.first(where: { $0.value == signal })?.key { return name }
        return others.first(where: { $0.0 == signal })?.1 ?? "SIG@openssh.com"
    }

    private static let others: [(Int32, String)] = {
        var names: [(Int32, String)] = [
            (SIGTRAP, "TRAP"), (SIGBUS, "BUS"), (SIGCHLD, "CHLD"), (SIGCONT, "CONT"), (SIGSTOP, "STOP"),
            (SIGTSTP, "TSTP"), (SIGTTIN, "TTIN"), (SIGTTOU, "TTOU"), (SIGURG, "URG"), (SIGXCPU, "XCPU"),
            (SIGXFSZ, "XFSZ"), (SIGVTALRM, "VTALRM"), (SIGPROF, "PROF"), (SIGWINCH, "WINCH"), (SIGIO, "IO"),
            (SIGSYS, "SYS"),
        ]
        #if os(Linux)
        names += [(SIGSTKFLT, "STKFLT"), (SIGPWR, "PWR")]
        #endif
        return names
    }()
}
