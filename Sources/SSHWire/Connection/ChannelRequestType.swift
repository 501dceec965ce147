import NIOCore

/// The request-specific part of `SSH_MSG_CHANNEL_REQUEST` (RFC 4254 §6, RFC 4335, OpenSSH PROTOCOL §2).
public enum ChannelRequestType: Hashable, Sendable {
    /// `pty-req` (RFC 4254 §6.2).
    case pseudoTerminal(PseudoTerminal)
    /// `x11-req` (RFC 4254 §6.3.1).
    case x11(X11Forwarding)
    /// `env` (RFC 4254 §6.4).
    case environment(name: String, value: String)
    /// `shell` (RFC 4254 §6.5).
    case shell
    /// `exec` (RFC 4254 §6.5).
    case exec(command: String)
    /// `subsystem` (RFC 4254 §6.5), e.g. `sftp`.
    case subsystem(name: String)
    /// `window-change` (RFC 4254 §6.7).
    case windowChange(WindowSize)
    /// `xon-xoff` (RFC 4254 §6.8).
    case xonXoff(clientCanDo: Bool)
    /// `signal` (RFC 4254 §6.9): the name without the `SIG` prefix, e.g. `INT`.
    case signal(name: String)
    /// `exit-status` (RFC 4254 §6.10).
    case exitStatus(UInt32)
    /// `exit-signal` (RFC 4254 §6.10).
    case exitSignal(ExitSignal)
    /// `break` (RFC 4335 §3): the break length in milliseconds.
    case `break`(milliseconds: UInt32)
    /// `auth-agent-req@openssh.com` (OpenSSH PROTOCOL.agent).
    case authAgent
    /// `eow@openssh.com` (OpenSSH PROTOCOL §2.1): no more data will be written to the channel.
    case endOfWrite
    /// `keepalive@openssh.com`: a liveness probe.
    case keepAlive
    /// A request this codec does not know: its name and data.
    case unknown(name: String, data: ByteBuffer)

    /// Terminal size in characters and pixels (RFC 4254 §6.2, §6.7). Pixel sizes are 0 when unknown.
    public struct WindowSize: Hashable, Sendable {
        public var columns: UInt32
        public var rows: UInt32
        public var widthPixels: UInt32
        public var heightPixels: UInt32

        public init(columns: UInt32, rows: UInt32, widthPixels: UInt32 = 0, heightPixels: UInt32 = 0) {
            self.columns = columns
            self.rows = rows
            self.widthPixels = widthPixels
            self.heightPixels = heightPixels
        }

        init(decoding data: inout ByteBuffer) throws(WireError) {
            columns = try data.readSSHUInt32()
            rows = try data.readSSHUInt32()
            widthPixels = try data.readSSHUInt32()
            heightPixels = try data.readSSHUInt32()
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeSSHUInt32(columns)
            buffer.writeSSHUInt32(rows)
            buffer.writeSSHUInt32(widthPixels)
            buffer.writeSSHUInt32(heightPixels)
        }
    }

    /// `pty-req` fields (RFC 4254 §6.2).
    public struct PseudoTerminal: Hashable, Sendable {
        /// The TERM environment variable value, e.g. `xterm-256color`.
        public var term: String
        /// The terminal size.
        public var size: WindowSize
        /// The terminal modes.
        public var modes: TerminalModes

        public init(term: String, size: WindowSize, modes: TerminalModes = TerminalModes()) {
            self.term = term
            self.size = size
            self.modes = modes
        }
    }

    /// `x11-req` fields (RFC 4254 §6.3.1).
    public struct X11Forwarding: Hashable, Sendable {
        /// Whether only one connection should be forwarded.
        public var singleConnection: Bool
        /// The X11 authentication protocol, e.g. `MIT-MAGIC-COOKIE-1`.
        public var authenticationProtocol: String
        /// The authentication cookie, hex-encoded.
        public var authenticationCookie: String
        /// The X11 screen number.
        public var screenNumber: UInt32

        public init(
            singleConnection: Bool, authenticationProtocol: String, authenticationCookie: String, screenNumber: UInt32
        ) {
            self.singleConnection = singleConnection
            self.authenticationProtocol = authenticationProtocol
            self.authenticationCookie = authenticationCookie
            self.screenNumber = screenNumber
        }
    }

    /// `exit-signal` fields (RFC 4254 §6.10).
    public struct ExitSignal: Hashable, Sendable {
        /// The signal name without `SIG`, e.g. `TERM`.
        public var signalName: String
        /// Whether a core was dumped.
        public var coreDumped: Bool
        /// An error message (UTF-8).
        public var errorMessage: String
        /// The language of ``errorMessage`` (RFC 3066).
        public var languageTag: String

        public init(signalName: String, coreDumped: Bool, errorMessage: String = "", languageTag: String = "") {
            self.signalName = signalName
            self.coreDumped = coreDumped
            self.errorMessage = errorMessage
            self.languageTag = languageTag
        }
    }

    /// The request name as sent.
    public var name: String {
        switch self {
        case .pseudoTerminal: "pty-req"
        case .x11: "x11-req"
        case .environment: "env"
        case .shell: "shell"
        case .exec: "exec"
        case .subsystem: "subsystem"
        case .windowChange: "window-change"
        case .xonXoff: "xon-xoff"
        case .signal: "signal"
        case .exitStatus: "exit-status"
        case .exitSignal: "exit-signal"
        case .break: "break"
        case .authAgent: "auth-agent-req@openssh.com"
        case .endOfWrite: "eow@openssh.com"
        case .keepAlive: "keepalive@openssh.com"
        case .unknown(let name, _): name
        }
    }
}
