import NIOCore

/// Any method-specific key exchange message, 30–49 (RFC 4250 §4.1.2), decoded for a known method family.
public enum KeyExchangeMessage: SSHMessageRange {
    /// Which set of meanings numbers 30–49 have for the negotiated key exchange.
    public enum Family: Hashable, Sendable, CaseIterable {
        /// Fixed-group Diffie-Hellman with mpint `e`/`f` (RFC 4253 §8, RFC 8268).
        case diffieHellman
        /// ECDH, curve25519 and hybrid exchanges with string `Q_C`/`Q_S` (RFC 5656 §7.1, RFC 8731).
        case ellipticCurve
        /// Diffie-Hellman group exchange (RFC 4419).
        case groupExchange
        /// GSS-API key exchange, fixed groups and group exchange (RFC 4462 §2).
        case gssapi
    }

    case dhInit(KexDHInitMessage)
    case dhReply(KexDHReplyMessage)
    case ecdhInit(KexECDHInitMessage)
    case ecdhReply(KexECDHReplyMessage)
    case gexRequestOld(KexDHGexRequestOldMessage)
    case gexGroup(KexDHGexGroupMessage)
    case gexInit(KexDHGexInitMessage)
    case gexReply(KexDHGexReplyMessage)
    case gexRequest(KexDHGexRequestMessage)
    case gssInit(KexGSSInitMessage)
    case gssContinue(KexGSSContinueMessage)
    case gssComplete(KexGSSCompleteMessage)
    case gssHostKey(KexGSSHostKeyMessage)
    case gssError(KexGSSErrorMessage)
    case gssGroupRequest(KexGSSGroupRequestMessage)
    case gssGroup(KexGSSGroupMessage)

    /// Decodes a whole payload, number byte included, as a message of `family`.
    /// A number the family does not define throws `.unexpectedMessage`.
    public init(decodingPayload payload: ByteBuffer, family: Family) throws(WireError) {
        var body = payload
        let number = try body.readSSHByte()
        switch (family, number) {
        case (.diffieHellman, 30): self = .dhInit(try KexDHInitMessage(decoding: &body))
        case (.diffieHellman, 31): self = .dhReply(try KexDHReplyMessage(decoding: &body))
        case (.ellipticCurve, 30): self = .ecdhInit(try KexECDHInitMessage(decoding: &body))
        case (.ellipticCurve, 31): self = .ecdhReply(try KexECDHReplyMessage(decoding: &body))
        case (.groupExchange, 30): self = .gexRequestOld(try KexDHGexRequestOldMessage(decoding: &body))
        case (.groupExchange, 31): self = .gexGroup(try KexDHGexGroupMessage(decoding: &body))
        case (.groupExchange, 32): self = .gexInit(try KexDHGexInitMessage(decoding: &body))
        case (.groupExchange, 33): self = .gexReply(try KexDHGexReplyMessage(decoding: &body))
        case (.groupExchange, 34): self = .gexRequest(try KexDHGexRequestMessage(decoding: &body))
        case (.gssapi, 30): self = .gssInit(try KexGSSInitMessage(decoding: &body))
        case (.gssapi, 31): self = .gssContinue(try KexGSSContinueMessage(decoding: &body))
        case (.gssapi, 32): self = .gssComplete(try KexGSSCompleteMessage(decoding: &body))
        case (.gssapi, 33): self = .gssHostKey(try KexGSSHostKeyMessage(decoding: &body))
        case (.gssapi, 34): self = .gssError(try KexGSSErrorMessage(decoding: &body))
        case (.gssapi, 40): self = .gssGroupRequest(try KexGSSGroupRequestMessage(decoding: &body))
        case (.gssapi, 41): self = .gssGroup(try KexGSSGroupMessage(decoding: &body))
        default: throw WireError(.unexpectedMessage, "message \(number) is not defined for \(family) key exchange")
        }
    }

    /// The message inside.
    public var message: (any SSHMessage)? {
        switch self {
        case .dhInit(let message): message
        case .dhReply(let message): message
        case .ecdhInit(let message): message
        case .ecdhReply(let message): message
        case .gexRequestOld(let message): message
        case .gexGroup(let message): message
        case .gexInit(let message): message
        case .gexReply(let message): message
        case .gexRequest(let message): message
        case .gssInit(let message): message
        case .gssContinue(let message): message
        case .gssComplete(let message): message
        case .gssHostKey(let message): message
        case .gssError(let message): message
        case .gssGroupRequest(let message): message
        case .gssGroup(let message): message
        }
    }

    /// The family whose numbering this message uses.
    public var family: Family {
        switch self {
        case .dhInit, .dhReply: .diffieHellman
        case .ecdhInit, .ecdhReply: .ellipticCurve
        case .gexRequestOld, .gexGroup, .gexInit, .gexReply, .gexRequest: .groupExchange
        case .gssInit, .gssContinue, .gssComplete, .gssHostKey, .gssError, .gssGroupRequest, .gssGroup: .gssapi
        }
    }

    /// Always nil: every key exchange message decodes to a type.
    public var rawPayload: ByteBuffer? { nil }
}
