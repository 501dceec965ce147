import SSHAuth
import SSHConnection
import SSHWire

/// What a custom server decides: the Swift shape of Paramiko's `ServerInterface`. The
/// authentication callbacks come from ``ServerAuthDelegate``; everything else here is asked
/// after a user logged in, and every default denies.
///
/// The callbacks, and the handlers a ``SessionAction`` runs, run on the event loop of the
/// client's connection, where its packets arrive: awaiting is free, but blocking work (reading
/// a file with a blocking call, a long computation) holds up every connection on that loop and
/// belongs on a thread or queue of its own.
public protocol SSHServerDelegate: ServerAuthDelegate {
    /// Whether to open a channel of `type` that the client asks for (RFC 4254 §5.1). The default
    /// accepts `session` and, where the policy below allows them, `direct-tcpip`,
    /// `direct-streamlocal@openssh.com` and `tun@openssh.com`.
    func acceptsChannel(_ type: ChannelType, connection: SSHServerConnectionInfo) async -> Bool

    /// A session request other than exec, shell and subsystem (RFC 4254 §6.2–§6.9: pty-req, env,
    /// x11-req, auth-agent-req@openssh.com, window-change, signal …): whether to grant it. The
    /// server applies what it granted (a pty for the process it starts, the variable in its
    /// environment, an agent socket). The default refuses all.
    func allowsSessionRequest(_ request: ChannelRequestType, session: SessionContext) async -> Bool

    /// What to do with `exec` (RFC 4254 §6.5). The default denies.
    func exec(_ command: String, session: SessionContext) async -> SessionAction
    /// What to do with `shell` (RFC 4254 §6.5). The default denies.
    func shell(session: SessionContext) async -> SessionAction
    /// What to do with `subsystem` (RFC 4254 §6.5). The default runs the handler registered
    /// under `name` in ``SSHServerConfiguration/subsystems`` and denies others.
    func subsystem(_ name: String, session: SessionContext) async -> SessionAction

    /// Whether the client may have the server connect to `host`:`port` (`direct-tcpip`, RFC 4254
    /// §7.2, ssh -L). The default denies.
    func allowsDirectTCPIP(host: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool
    /// Whether the server may listen on `address`:`port` for the client (`tcpip-forward`,
    /// RFC 4254 §7.1, ssh -R). The default denies.
    func allowsRemoteForward(address: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool
    /// Whether the client may connect to the Unix socket at `path` (`direct-streamlocal@openssh.com`).
    /// The default denies.
    func allowsDirectStreamLocal(path: String, connection: SSHServerConnectionInfo) async -> Bool
    /// Whether the server may listen on the Unix socket at `path` (`streamlocal-forward@openssh.com`).
    /// The default denies.
    func allowsStreamLocalForward(path: String, connection: SSHServerConnectionInfo) async -> Bool
    /// Whether the client may open a tunnel to this host's tun (`.pointToPoint`) or tap (`.ethernet`)
    /// device `unit` (`tun@openssh.com`, OpenSSH PROTOCOL §2.3, ssh -w): what sshd's `PermitTunnel`
    /// decides. The server opens the device and carries the packets. The default denies.
    func allowsTunnel(mode: TunnelMode, unit: TunnelUnit, connection: SSHServerConnectionInfo) async -> Bool
    /// A global request the server does not handle itself (RFC 4254 §4). The default refuses.
    func globalRequest(_ request: GlobalRequestType, connection: SSHServerConnectionInfo) async -> Bool
}

extension SSHServerDelegate {
    public func acceptsChannel(_ type: ChannelType, connection: SSHServerConnectionInfo) async -> Bool {
        switch type {
        case .session: true
        case .directTCPIP(let target):
            await allowsDirectTCPIP(host: target.host, port: Int(target.port), connection: connection)
        case .directStreamLocal(let path): await allowsDirectStreamLocal(path: path, connection: connection)
        case .tunnel(let mode, let unit): await allowsTunnel(mode: mode, unit: unit, connection: connection)
        default: false
        }
    }

    public func allowsSessionRequest(_ request: ChannelRequestType, session: SessionContext) async -> Bool { false }
    public func exec(_ command: String, session: SessionContext) async -> SessionAction { .deny }
    public func shell(session: SessionContext) async -> SessionAction { .deny }
    public func subsystem(_ name: String, session: SessionContext) async -> SessionAction {
        session.subsystems[name].map { .handle($0) } ?? .deny
    }
    public func allowsDirectTCPIP(host: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { false }
    public func allowsRemoteForward(address: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { false }
    public func allowsDirectStreamLocal(path: String, connection: SSHServerConnectionInfo) async -> Bool { false }
    public func allowsStreamLocalForward(path: String, connection: SSHServerConnectionInfo) async -> Bool { false }
    public func allowsTunnel(mode: TunnelMode, unit: TunnelUnit, connection: SSHServerConnectionInfo) async -> Bool {
        false
    }
    public func globalRequest(_ request: GlobalRequestType, connection: SSHServerConnectionInfo) async -> Bool { false }
}
