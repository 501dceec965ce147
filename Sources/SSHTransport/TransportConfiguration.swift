import SSHCrypto

/// How one side of a transport connection behaves (RFC 4253).
public struct TransportConfiguration: Sendable {
    /// Which side of the connection this is.
    public enum Role: Sendable, Hashable {
        case client
        case server
    }

    /// Which side this is.
    public var role: Role
    /// The softwareversion part of our identification string, `SSH-2.0-<this>` (RFC 4253 §4.2).
    public var softwareVersion: String = "Paramiko_Swift_0.1"
    /// The algorithms offered, most preferred first.
    public var algorithms: AlgorithmPreferences = .defaults
    /// The server's host keys (at least one for a server).
    public var hostKeys: [any TransportHostKey] = []
    /// How a client checks the server's signature over the exchange hash; a client
    /// configuration starts with ``verifyHostKeySignature``.
    public var hostKeySignatureVerifier: HostKeySignatureVerifier?
    /// The groups a server offers for group exchange.
    public var moduli: ModuliFile = .builtin
    /// A client's GSS-API key exchange (RFC 4462 §2), used when a `gss-*` method from
    /// ``AlgorithmPreferences/keyExchange`` is negotiated; nil offers none.
    public var gssKeyExchange: GSSKeyExchange?
    /// The group sizes a client asks for in group exchange.
    public var groupExchange: GroupExchangeRequest = .default
    /// Rekey after this many bytes in either direction (RFC 4253 §9 recommends 1 GiB).
    public var rekeyBytes: UInt64 = 1 << 30
    /// Rekey after this much time.
    public var rekeyInterval: Duration = .seconds(3600)
    /// Client: computes the key pair of a post-quantum hybrid exchange (sntrup761's takes
    /// milliseconds) on another thread instead of the caller's: the driver runs what
    /// ``TransportStateMachine/takeKeyAgreementPreparations()`` hands out. The first is started
    /// with the connection, so it is usually ready when the server's KEXINIT arrives. False
    /// computes each in place when the exchange needs it.
    public var computesKeyPairsAside = false
    /// A key exchange that takes longer ends the connection.
    public var keyExchangeTimeout: Duration = .seconds(60)
    /// While the peer streams, the socket wakes its reader once this many bytes wait (Linux's
    /// `SO_RCVLOWAT`), not for each packet; 0 reads every packet at once. See ``receiveCoalescingDelay``.
    public var receiveLowWatermark = 128 * 1024
    /// With the low-water mark raised, bytes below it wait at most this long after the last read.
    public var receiveCoalescingDelay: Duration = .milliseconds(1)
    /// Services a server accepts in SERVICE_REQUEST (RFC 4253 §10).
    public var acceptedServices: [String] = ["ssh-userauth"]
    /// Ask for OpenSSH's strict key exchange (CVE-2023-48795 countermeasure).
    public var strictKeyExchange: Bool = true
    /// Offer RFC 8308 extension negotiation.
    public var extensionNegotiation: Bool = true
    /// The signature algorithms a server lists in `server-sig-algs` (RFC 8308 §3.1).
    public var serverSignatureAlgorithms: [String] = [
        "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256", "ssh-rsa",
        "ssh-dss",
    ]
    /// Outbound packets queued while a key exchange runs before writers must wait.
    public var maximumQueuedPackets: Int = 64

    /// A configuration for `role` with defaults elsewhere.
    public init(role: Role) {
        self.role = role
        if role == .client { hostKeySignatureVerifier = Self.verifyHostKeySignature }
    }

    /// Our identification line, without CR LF.
    public var identification: String { "SSH-2.0-\(softwareVersion)" }
}
