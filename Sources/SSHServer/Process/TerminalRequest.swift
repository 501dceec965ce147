import SSHWire

/// A pseudo-terminal request (`pty-req`, RFC 4254 §6.2): the `TERM` value, the window size in
/// characters and pixels, and the encoded terminal modes (RFC 4254 §8), which
/// ``LocalProcess/start(command:shell:environment:workingDirectory:terminal:)`` applies to the new
/// terminal the way OpenSSH's `ttymodes.c` does.
public struct TerminalRequest: Sendable, Hashable {
    /// The `TERM` environment variable for the process, e.g. `xterm-256color`.
    public var term: String
    /// Width in characters.
    public var columns: Int
    /// Height in rows.
    public var rows: Int
    /// Width in pixels; 0 when unknown.
    public var pixelWidth: Int
    /// Height in pixels; 0 when unknown.
    public var pixelHeight: Int
    /// The terminal modes the client asked for.
    public var modes: TerminalModes

    /// A request for a terminal of `term` with this size and these modes.
    public init(
        term: String, columns: Int, rows: Int, pixelWidth: Int = 0, pixelHeight: Int = 0,
        modes: TerminalModes = TerminalModes()
    ) {
        self.term = term
        self.columns = columns
        self.rows = rows
        self.pixelWidth = pixelWidth
        self.pixelHeight = pixelHeight
        self.modes = modes
    }

    /// The request a decoded `pty-req` (RFC 4254 §6.2) makes.
    public init(_ request: ChannelRequestType.PseudoTerminal) {
        self.init(
            term: request.term, columns: Int(request.size.columns), rows: Int(request.size.rows),
            pixelWidth: Int(request.size.widthPixels), pixelHeight: Int(request.size.heightPixels),
            modes: request.modes)
    }
}
