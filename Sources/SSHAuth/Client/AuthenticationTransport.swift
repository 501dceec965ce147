import NIOCore
import SSHTransport

/// The transport under user authentication, as the client authenticator needs it: the session
/// identifier (RFC 4253 §7.2), the server's `server-sig-algs` (RFC 8308 §3.1), and payloads of
/// messages 50 and up in both directions.
public protocol AuthenticationTransport: Sendable {
    /// The session identifier, the exchange hash of the first key exchange.
    var sessionID: [UInt8] { get async }
    /// The signature algorithms the server accepts, when it sent `server-sig-algs`.
    var serverSignatureAlgorithms: [String]? { get async }
    /// Sends one payload.
    func send(_ payload: ByteBuffer) async throws
    /// The next payload of message number 50 or more; throws when the connection ends.
    func nextPayload() async throws -> ByteBuffer
    /// After a GSS-API key exchange, its context, which `gssapi-keyex` signs with (RFC 4462 §4).
    var gssContext: (any GSSKeyExchangeContext)? { get async }
    /// On a server, after a GSS-API key exchange, its context, which checks `gssapi-keyex`.
    var gssAcceptor: (any GSSKeyExchangeAcceptor)? { get async }
}

extension AuthenticationTransport {
    /// No GSS-API key exchange.
    public var gssContext: (any GSSKeyExchangeContext)? { nil }
    /// No GSS-API key exchange.
    public var gssAcceptor: (any GSSKeyExchangeAcceptor)? { nil }
}
