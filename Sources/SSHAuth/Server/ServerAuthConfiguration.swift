import SSHCrypto

/// How the server runs user authentication (sshd_config's equivalents in brackets).
public struct ServerAuthConfiguration: Sendable {
    /// The methods offered (the union of what the delegate can decide).
    public var methods: [String] = ["publickey", "password", "keyboard-interactive"]
    /// Lists of methods that must all succeed, in order (AuthenticationMethods); nil: any one of
    /// ``methods`` suffices.
    public var authenticationMethods: [[String]]?
    /// Failed attempts before the server disconnects (MaxAuthTries; sshd's default is 6).
    public var maximumAttempts = 6
    /// The time allowed to log in (LoginGraceTime).
    public var loginGraceTime: Duration? = .seconds(120)
    /// CA keys whose user certificates are trusted (TrustedUserCAKeys).
    public var trustedUserCAKeys: Set<SSHPublicKey> = []
    /// The signature algorithms a `publickey` request may name (RFC 4252 §7; PubkeyAcceptedAlgorithms):
    /// ``defaultPublicKeyAlgorithms``. `ssh-rsa` (SHA-1) and `ssh-dss` are supported and opt-in, as
    /// sshd has them since OpenSSH 8.8: add them from ``supportedPublicKeyAlgorithms``.
    public var publicKeyAlgorithms: [String] = Self.defaultPublicKeyAlgorithms
    /// The signature algorithms a `hostbased` request may name (RFC 4252 §9; HostbasedAcceptedAlgorithms).
    public var hostBasedAlgorithms: [String] = Self.defaultPublicKeyAlgorithms
    /// The least time a failed password or keyboard-interactive attempt takes, plus a per-user
    /// share of up to as much again, so that failures for users that exist and users that do
    /// not take alike (sshd's user-specific delay, CVE-2018-15473 and its timing variants).
    public var minimumFailureTime: Duration = .milliseconds(5)
    /// The keytab `gssapi-with-mic` accepts with, when ``methods`` offers it; nil: the Kerberos
    /// library's default (`KRB5_KTNAME`, else /etc/krb5.keytab), as sshd's.
    public var gssapiKeytab: String?
    /// The services a client may ask to start after authentication.
    public var services: Set<String> = ["ssh-connection"]

    /// OpenSSH 9.2's PubkeyAcceptedAlgorithms and HostbasedAcceptedAlgorithms: certificates first,
    /// then plain keys, no SHA-1 RSA signatures and no DSA.
    public static let defaultPublicKeyAlgorithms = [
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    ]

    /// Every signature algorithm a login can be verified with, the weak ones included.
    public static let supportedPublicKeyAlgorithms =
        defaultPublicKeyAlgorithms + [
            "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-dss",
        ]

    /// The defaults above.
    public init() {}
}
