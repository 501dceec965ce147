import NIOCore
import SSHAuth
import SSHWire

/// Who is connected and from where, as the delegate sees it.
public struct SSHServerConnectionInfo: Sendable {
    /// Who logged in, with the keys whose signatures verified.
    public let identity: AuthenticatedIdentity
    /// The client's address.
    public let remoteAddress: SocketAddress?
    /// The client's identification line (RFC 4253 §4.2).
    public let clientVersion: String
    /// The server's own identification line (RFC 4253 §4.2).
    public let serverVersion: String
    /// A number for the connection, unique within the server, for logs.
    public let number: Int
}

/// A session channel's state when the delegate is asked about it (RFC 4254 §6): what the
/// client asked for and the server granted so far.
public struct SessionContext: Sendable {
    /// The connection the session belongs to.
    public let connection: SSHServerConnectionInfo
    /// The pseudo-terminal granted, if any (pty-req, RFC 4254 §6.2).
    public internal(set) var terminal: ChannelRequestType.PseudoTerminal?
    /// Variables granted with `env` (RFC 4254 §6.4), plus `SSH_AUTH_SOCK` with agent forwarding.
    public internal(set) var environment: [String: String] = [:]
    /// Whether agent forwarding was granted (auth-agent-req@openssh.com).
    public internal(set) var agentForwarding = false
    /// The subsystems registered with the server.
    public let subsystems: [String: SessionHandler]
}
