import SSHCrypto

/// A user authentication request for the server's delegate to decide (RFC 4252 §5). Signatures
/// of `publickey` and `hostbased` requests have already been verified over this session when
/// the delegate sees them; a request whose signature fails never reaches it.
public enum ServerAuthRequest: Sendable, Hashable {
    /// `none` (RFC 4252 §5.2): normally refused; accepting it allows login with no credential.
    case none(user: String)
    /// `password` (RFC 4252 §8); `newPassword` when the client answers a change request.
    case password(user: String, password: String, newPassword: String?)
    /// `publickey` (RFC 4252 §7). `signed` is false for a query (answer ``ServerAuthDecision/publicKeyAcceptable``
    /// or failure) and true once the signature verified. For a certificate, `certificateTrusted`
    /// says it passed the configured TrustedUserCAKeys check for this user.
    case publicKey(user: String, key: SSHPublicKey, algorithm: String, signed: Bool, certificateTrusted: Bool)
    /// `keyboard-interactive` starts (RFC 4256 §3.1).
    case keyboardInteractive(user: String, submethods: String)
    /// The answers to the last keyboard-interactive prompts (RFC 4256 §3.4).
    case keyboardInteractiveResponses(user: String, responses: [String])
    /// `hostbased` (RFC 4252 §9), signature verified.
    case hostBased(user: String, key: SSHPublicKey, clientHostName: String, clientUserName: String)
    /// `gssapi-with-mic` (RFC 4462 §3), the context established and its MIC over this session
    /// verified: the client is the Kerberos `principal`; may it log in as `user`?
    /// ``KerberosLogin/allows(principal:user:)`` asks the Kerberos library's rules.
    case gssapi(user: String, principal: String)
    /// `gssapi-keyex` (RFC 4462 §4), its MIC verified with the context of the GSS-API key exchange:
    /// the client is the Kerberos `principal`; may it log in as `user`?
    case gssapiKeyExchange(user: String, principal: String)

    /// The user the request is for.
    public var user: String {
        switch self {
        case .none(let user), .password(let user, _, _), .publicKey(let user, _, _, _, _),
            .keyboardInteractive(let user, _), .keyboardInteractiveResponses(let user, _), .hostBased(let user, _, _, _),
            .gssapi(let user, _), .gssapiKeyExchange(let user, _):
            user
        }
    }

    /// The method name.
    public var method: String {
        switch self {
        case .none: "none"
        case .password: "password"
        case .publicKey: "publickey"
        case .keyboardInteractive, .keyboardInteractiveResponses: "keyboard-interactive"
        case .hostBased: "hostbased"
        case .gssapi: "gssapi-with-mic"
        case .gssapiKeyExchange: "gssapi-keyex"
        }
    }
}

/// The delegate's answer to a ``ServerAuthRequest``.
public enum ServerAuthDecision: Sendable, Hashable {
    /// The method succeeded (with AuthenticationMethods lists, perhaps as one step of several).
    case success
    /// The method failed.
    case failure
    /// For a `publickey` query: the key would be accepted (SSH_MSG_USERAUTH_PK_OK).
    case publicKeyAcceptable
    /// For `password`: it expired; ask for a new one with this prompt (PASSWD_CHANGEREQ).
    case changePassword(prompt: String)
    /// For `keyboard-interactive`: another round of prompts (INFO_REQUEST).
    case prompt(KeyboardInteractiveChallenge)
}
