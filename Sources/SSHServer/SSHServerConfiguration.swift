import SSHAuth
import SSHConnection
import SSHTransport

/// How an ``SSHServer`` runs: the transport and authentication settings of each connection and
/// the limits the server holds across them (sshd_config's equivalents in brackets).
public struct SSHServerConfiguration: Sendable {
    /// Unauthenticated connections allowed before random early drop starts (MaxStartups start).
    public var unauthenticatedStart = 100
    /// The chance, in percent, of refusing a new connection once ``unauthenticatedStart`` is
    /// reached; it rises linearly to 100 at ``unauthenticatedFull`` (MaxStartups rate).
    public var unauthenticatedRate = 30
    /// Unauthenticated connections past which every new one is refused (MaxStartups full).
    public var unauthenticatedFull = 1000
    /// Session channels open at once on one connection (MaxSessions).
    public var maximumSessions = 10
    /// A connection from which nothing arrives for this long is closed (sshd's
    /// ClientAliveInterval × ClientAliveCountMax, without the probes); nil keeps idle
    /// connections open.
    public var idleTimeout: Duration?
    /// The transport settings (host keys are added by ``SSHServer/listen(host:port:hostKeys:delegate:configuration:)``).
    public var transport = TransportConfiguration(role: .server)
    /// User authentication: methods, attempts, login grace time (which covers the key
    /// exchange too: LoginGraceTime runs from accept).
    public var authentication = ServerAuthConfiguration()
    /// Channel windows and packet sizes.
    public var channels = ChannelMultiplexer.Configuration()
    /// Subsystems by name (`sftp` …), run by the default ``SSHServerDelegate/subsystem(_:session:)``.
    public var subsystems: [String: SessionHandler] = [:]
    /// Whether a client is told every host key after login and may ask for proof of them
    /// (`hostkeys-00@openssh.com`, OpenSSH PROTOCOL §2.5), as sshd does: what lets ssh's
    /// UpdateHostKeys learn new keys before old ones are retired.
    public var announcesHostKeys = true
    /// How long ``SSHServer/shutdown(gracePeriod:)`` lets sessions finish by default.
    public var shutdownGracePeriod: Duration = .seconds(10)

    /// The defaults of LIMITS.md.
    public init() {}
}
