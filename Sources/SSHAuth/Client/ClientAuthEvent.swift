import SSHWire

/// What a server said to the client during user authentication (RFC 4252 §5.1–§5.4).
public enum ClientAuthEvent: Sendable, Hashable {
    /// `SSH_MSG_USERAUTH_SUCCESS`: authentication is over.
    case success
    /// `SSH_MSG_USERAUTH_FAILURE`: the methods that can continue and whether the last request
    /// was a partial success (one factor of several).
    case failure(methods: [String], partialSuccess: Bool)
    /// `SSH_MSG_USERAUTH_BANNER` (RFC 4252 §5.4), to show the user.
    case banner(String)
    /// `SSH_MSG_USERAUTH_PK_OK` (RFC 4252 §7): the queried key would be accepted.
    case publicKeyAcceptable
    /// `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ` (RFC 4252 §8): the password expired; the prompt.
    case passwordChangeRequested(prompt: String)
    /// `SSH_MSG_USERAUTH_INFO_REQUEST` (RFC 4256 §3.2): prompts to answer.
    case infoRequest(UserAuthInfoRequestMessage)
    /// `SSH_MSG_USERAUTH_GSSAPI_RESPONSE` (RFC 4462 §3.3): the mechanism the server chose, DER-encoded.
    case gssapiMechanism([UInt8])
    /// `SSH_MSG_USERAUTH_GSSAPI_TOKEN` (RFC 4462 §3.4): the server's next context token.
    case gssapiToken([UInt8])
    /// `SSH_MSG_USERAUTH_GSSAPI_ERROR` (RFC 4462 §3.8): the server's GSS-API failure, told before
    /// its USERAUTH_FAILURE.
    case gssapiError(majorStatus: UInt32, minorStatus: UInt32, message: String)
    /// `SSH_MSG_USERAUTH_GSSAPI_ERRTOK` (RFC 4462 §3.9): an error token for our context.
    case gssapiErrorToken([UInt8])
}
