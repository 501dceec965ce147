/// When a session's output is complete (RFC 4254 §6.10): once both EOF and the exit (status or
/// signal) have arrived. sshd can report the exit before the last output, so a reader that
/// closes the channel early would lose it; it closes when ``note(_:)`` says so.
public struct SessionCompletion: Sendable {
    /// The peer sent EOF.
    public private(set) var sawEOF = false
    /// The peer reported the exit.
    public private(set) var sawExit = false

    /// Nothing seen yet.
    public init() {}

    /// Takes in `output`; true when it completes the session (the moment to close the channel).
    public mutating func note(_ output: ChannelOutput) -> Bool {
        let wasComplete = sawEOF && sawExit
        switch output {
        case .eof: sawEOF = true
        case .exitStatus, .exitSignal: sawExit = true
        case .stdout, .stderr: break
        }
        return !wasComplete && sawEOF && sawExit
    }
}
