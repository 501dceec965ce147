import Logging
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHTransport

/// How ``SSHClient/connect(host:port:username:authentication:hostKeyPolicy:configuration:)``
/// connects (ssh_config's equivalents in brackets).
public struct SSHClientConfiguration: Sendable {
    /// The transport: algorithms (Ciphers, MACs, KexAlgorithms, HostKeyAlgorithms), compression,
    /// rekey limits. Post-quantum key pairs are computed off the event loop, the first while the
    /// connection waits for the server (``TransportConfiguration/computesKeyPairsAside``).
    public var transport: TransportConfiguration = {
        var transport = TransportConfiguration(role: .client)
        transport.computesKeyPairsAside = true
        return transport
    }()
    /// Channel windows and packet sizes.
    public var channels = ChannelMultiplexer.Configuration()
    /// Time allowed for the TCP connection (ConnectTimeout).
    public var connectTimeout: Duration = .seconds(15)
    /// Time allowed from connected to the server's first bytes (its identification line).
    public var bannerTimeout: Duration = .seconds(15)
    /// Time allowed from connected to keys exchanged (banner and key exchange).
    public var handshakeTimeout: Duration = .seconds(60)
    /// Time allowed for authentication.
    public var authenticationTimeout: Duration = .seconds(30)
    /// Send `keepalive@openssh.com` after this long without traffic from the server
    /// (ServerAliveInterval); nil sends none.
    public var keepaliveInterval: Duration?
    /// Unanswered keepalives before the connection is given up (ServerAliveCountMax).
    public var keepaliveCountMax = 3
    /// Receives the server's banner (RFC 4252 §5.4) and warnings such as a newly added host key.
    public var messageHandler: (@Sendable (String) -> Void)?
    /// Signature algorithms offered for public keys (PubkeyAcceptedAlgorithms); nil: all.
    public var publicKeyAlgorithms: [String]?
    /// Run the connection through this command's standard input and output (ProxyCommand),
    /// already with `%h`, `%p` and `%r` expanded.
    public var proxyCommand: String?
    /// Reach the host through these SSH servers in turn (ProxyJump), each connected with the
    /// same policies.
    public var proxyJump: [SSHProxyHop] = []
    /// Whether to let the server use our SSH agent (ForwardAgent): the socket path, or nil.
    public var forwardAgent: String?
    /// The addresses a host name may resolve to for the TCP connection (AddressFamily).
    public var addressFamily = AddressFamily.any
    /// The local address to connect from (BindAddress), or a name resolved to one of each
    /// family; nil lets the system choose.
    public var bindAddress: String?
    /// The interface whose address to connect from (BindInterface), for each address tried the
    /// interface's first of its family (``InterfaceAddress/bindAddress(on:ipv6:among:)``);
    /// ``bindAddress`` wins when both are set.
    public var bindInterface: String?
    /// TCP connections tried, one second apart, before connecting counts as failed (ConnectionAttempts).
    public var connectionAttempts = 1
    /// Whether the TCP connection has the system's keepalive probes on (TCPKeepAlive).
    public var tcpKeepAlive = true

    /// Which addresses a connection may use (ssh_config(5) AddressFamily; `ssh -4`, `ssh -6`).
    public enum AddressFamily: Sendable {
        /// IPv4 or IPv6, whichever answers first.
        case any
        /// IPv4 only.
        case inet
        /// IPv6 only.
        case inet6
    }
    /// The IP traffic class (TOS / DSCP) for interactive and bulk sessions, ssh's IPQoS; nil leaves
    /// the system's. ``SSHClient/markTraffic(interactive:)`` applies one.
    public var ipQoS: (interactive: Int?, bulk: Int?) = (nil, nil)
    /// X11 forwarding for every session (ssh's ForwardX11; see ``X11Forwarding``); nil for none.
    public var x11Forwarding: X11Forwarding?
    /// Whether host keys the server lists after login update the known_hosts file the host-key
    /// policy writes to (ssh's UpdateHostKeys, OpenSSH PROTOCOL §2.5): new keys, once the server
    /// proves it holds them, are recorded and keys it no longer has are removed. Off by default.
    public var updatesHostKeys = false
    /// Asked, when set, before ``updatesHostKeys`` changes the file (UpdateHostKeys ask).
    public var hostKeyUpdateApproval: HostKeyUpdateApproval?
    /// Decides whether to record the keys `learned` and remove the keys `retired`.
    public typealias HostKeyUpdateApproval = @Sendable (_ learned: [SSHPublicKey], _ retired: [SSHPublicKey]) async -> Bool
    /// Where the client tells what it does, in the steps `ssh -v` shows: connecting, the
    /// algorithms negotiated, the server's key, each authentication attempt (at `debug`), the
    /// method that succeeded (at `info`), and the requests of each session. Silent by default.
    public var logger = Logger(label: "paramiko.client", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The defaults above.
    public init() {}

    /// This configuration without GSS-API key exchange: no context, no `gss-*` methods offered.
    func withoutGSSKeyExchange() -> SSHClientConfiguration {
        var configuration = self
        configuration.transport.gssKeyExchange = nil
        configuration.transport.algorithms.keyExchange.removeAll { KeyExchangeMethod.named($0)?.usesGSSAPI == true }
        return configuration
    }
}

/// One hop of ProxyJump: `[user@]host[:port]`, with its own credentials, host-key policy and
/// algorithms when they differ from the destination's (as ssh_config gives each host its own).
public struct SSHProxyHop: Sendable {
    /// The user on the jump host; nil uses the final user.
    public var user: String?
    /// The jump host.
    public var host: String
    /// Its port.
    public var port: Int
    /// Its credentials; nil uses the destination's.
    public var authentication: AuthStrategy?
    /// Its host-key policy; nil uses the destination's.
    public var hostKeyPolicy: SSHHostKeyPolicy?
    /// Its transport settings; nil uses the destination's.
    public var transport: TransportConfiguration?

    /// A hop.
    public init(
        user: String? = nil, host: String, port: Int = 22, authentication: AuthStrategy? = nil,
        hostKeyPolicy: SSHHostKeyPolicy? = nil, transport: TransportConfiguration? = nil
    ) {
        self.user = user
        self.host = host
        self.port = port
        self.authentication = authentication
        self.hostKeyPolicy = hostKeyPolicy
        self.transport = transport
    }
}
