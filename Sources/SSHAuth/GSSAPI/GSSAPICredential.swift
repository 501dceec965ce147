/// What `gssapi-with-mic` (RFC 4462 §3) needs besides the Kerberos ticket cache: the server's
/// principal, `host/<serverHost>`, named as the host-based service `host@<serverHost>`, and whether
/// our ticket is delegated to the server (ssh's GSSAPIDelegateCredentials, Paramiko's `gss_deleg_creds`).
public struct GSSAPICredential: Sendable, Hashable {
    /// The host the server's principal is named after (ssh's GSSAPIServerIdentity, else the host name).
    public var serverHost: String
    /// Whether to delegate (forward) our credentials to the server.
    public var delegatesCredentials: Bool
    /// The principal whose ticket to use from the cache collection (ssh's GSSAPIClientIdentity);
    /// nil for the default one.
    public var clientPrincipal: String?

    /// Options for the server `serverHost`.
    public init(serverHost: String, delegatesCredentials: Bool = false, clientPrincipal: String? = nil) {
        self.serverHost = serverHost
        self.delegatesCredentials = delegatesCredentials
        self.clientPrincipal = clientPrincipal
    }

    /// The host-based service name of the server's principal (RFC 2743 §4.1).
    public var serviceName: String { "host@" + serverHost }
}
