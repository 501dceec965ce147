import SSHCrypto

/// One GSS-API security context as a key exchange uses it (RFC 4462 §2): the initiator's steps and
/// the MIC checks. The transport is given one by ``GSSKeyExchange/makeContext`` and never learns
/// how it is made; SSHAuth's `GSSSecurityContext` is one. Its calls may block briefly (a ticket
/// request to the KDC) on the connection's event loop, as OpenSSH's single thread does.
public protocol GSSKeyExchangeContext: AnyObject, Sendable {
    /// The initiator's next step with the acceptor's last token (nil at the start): the token to
    /// send, empty when there is none.
    func initiate(_ input: [UInt8]?) throws -> [UInt8]
    /// Whether the context is established.
    var isComplete: Bool { get }
    /// Checks the peer's MIC over `message`.
    func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws
    /// Our MIC over `message`: what `gssapi-keyex` user authentication sends (RFC 4462 §4).
    func mic(of message: [UInt8]) throws -> [UInt8]
}

/// The acceptor's side of a GSS-API key exchange (RFC 4462 §2.1): the server's context.
public protocol GSSKeyExchangeAcceptor: AnyObject, Sendable {
    /// The acceptor's next step with the initiator's `input` token: the token to send back,
    /// empty when there is none.
    func accept(_ input: [UInt8]) throws -> [UInt8]
    /// Whether the context is established.
    var isComplete: Bool { get }
    /// Our MIC over `message` (the exchange hash).
    func mic(of message: [UInt8]) throws -> [UInt8]
    /// Checks the peer's MIC over `message`: `gssapi-keyex` user authentication (RFC 4462 §4).
    func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws
    /// The initiator's principal, once established.
    var peerName: String? { get }
}

/// GSS-API key exchange (RFC 4462 §2, RFC 8732): how to make the context of each exchange. The
/// server is authenticated by the context, not by a host key signature: its key, when it sends
/// one, is not checked against known_hosts (as ssh does). The methods offered are the `gss-*` names
/// in ``AlgorithmPreferences/keyExchange``.
public struct GSSKeyExchange: Sendable {
    /// A client's context for one exchange (the first and every rekey).
    public var makeContext: @Sendable () throws -> any GSSKeyExchangeContext
    /// A server's context for one exchange.
    public var makeAcceptor: @Sendable () throws -> any GSSKeyExchangeAcceptor

    /// A client's GSS-API key exchange with contexts from `makeContext`.
    public init(makeContext: @escaping @Sendable () throws -> any GSSKeyExchangeContext) {
        self.makeContext = makeContext
        self.makeAcceptor = { throw TransportError(.keyExchangeFailed, "no GSS-API acceptor on a client") }
    }

    /// A server's GSS-API key exchange with contexts from `makeAcceptor`.
    public init(makeAcceptor: @escaping @Sendable () throws -> any GSSKeyExchangeAcceptor) {
        self.makeAcceptor = makeAcceptor
        self.makeContext = { throw TransportError(.keyExchangeFailed, "no GSS-API initiator on a server") }
    }

    /// The Kerberos V5 mechanism's OID (1.2.840.113554.1.2.2), DER-encoded, as SSH messages carry it.
    public static let kerberos5Mechanism: [UInt8] = [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02]

    /// The suffix of a method name for a mechanism (RFC 4462 §2.3): the base64 of the MD5 of its DER OID.
    public static func nameSuffix(mechanism: [UInt8]) -> String {
        let digest = (try? DigestAlgorithm.md5.hash(mechanism)) ?? []
        return Base64.encode(digest)
    }
}
