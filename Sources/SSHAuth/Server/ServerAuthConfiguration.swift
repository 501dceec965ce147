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
    /// The least time a failed password or keyboard-interactive attempt takes, plus a per-user
    /// share of up to as much again, so that failures for users that exist and users that do
    /// not take alike (sshd's user-specific delay, CVE-2018-15473 and its timing variants).
    public var minimumFailureTime: Duration = .milliseconds(5)
    /// The keytab `gssapi-with-mic` accepts with, when ``methods`` offers it; nil: the Kerberos
    /// library's default (`KRB5_KTNAME`, else /etc/krb5.keytab), as sshd's.
    public var gssapiKeytab: String?
    /// The services a client may ask to start after authentication.
    public var services: Set<String> = ["ssh-connection"]

    /// The defaults above.
    public init() {}
}
