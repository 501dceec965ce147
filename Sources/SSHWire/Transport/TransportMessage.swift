import NIOCore

/// Any message of the transport layer's range, 1–49 (RFC 4250 §4.1.2).
///
/// Numbers 30–49 are specific to the key exchange method; they arrive as ``keyExchangeMethod(number:payload:)``
/// for the key exchange to decode with ``KeyExchangeMessage`` once it knows its method.
public enum TransportMessage: SSHMessageRange {
    case disconnect(DisconnectMessage)
    case ignore(IgnoreMessage)
    case unimplemented(UnimplementedMessage)
    case debug(DebugMessage)
    case serviceRequest(ServiceRequestMessage)
    case serviceAccept(ServiceAcceptMessage)
    case extInfo(ExtInfoMessage)
    case kexInit(KexInitMessage)
    case newKeys(NewKeysMessage)
    /// A method-specific key exchange message (30–49): the whole payload, number byte included.
    case keyExchangeMethod(number: UInt8, payload: ByteBuffer)
    /// A number in 1–49 that nothing here defines; answer with `SSH_MSG_UNIMPLEMENTED` (RFC 4253 §11.4).
    case unknownMessage(number: UInt8, payload: ByteBuffer)

    /// The numbers this enum covers.
    public static let messageNumbers: ClosedRange<UInt8> = 1...49
    /// The numbers reserved for key exchange methods (RFC 4250 §4.1.2).
    public static let keyExchangeMethodNumbers: ClosedRange<UInt8> = 30...49

    /// Decodes a whole payload, number byte included. Numbers outside 1–49 throw `.unexpectedMessage`.
    public init(decodingPayload payload: ByteBuffer) throws(WireError) {
        var body = payload
        let number = try body.readSSHByte()
        switch number {
        case DisconnectMessage.messageNumber: self = .disconnect(try DisconnectMessage(decoding: &body))
        case IgnoreMessage.messageNumber: self = .ignore(try IgnoreMessage(decoding: &body))
        case UnimplementedMessage.messageNumber: self = .unimplemented(try UnimplementedMessage(decoding: &body))
        case DebugMessage.messageNumber: self = .debug(try DebugMessage(decoding: &body))
        case ServiceRequestMessage.messageNumber: self = .serviceRequest(try ServiceRequestMessage(decoding: &body))
        case ServiceAcceptMessage.messageNumber: self = .serviceAccept(try ServiceAcceptMessage(decoding: &body))
        case ExtInfoMessage.messageNumber: self = .extInfo(try ExtInfoMessage(decoding: &body))
        case KexInitMessage.messageNumber: self = .kexInit(try KexInitMessage(decoding: &body))
        case NewKeysMessage.messageNumber: self = .newKeys(try NewKeysMessage(decoding: &body))
        case Self.keyExchangeMethodNumbers: self = .keyExchangeMethod(number: number, payload: payload)
        case Self.messageNumbers: self = .unknownMessage(number: number, payload: payload)
        default: throw WireError(.unexpectedMessage, "message \(number) is not a transport message")
        }
    }

    /// The message inside, or nil for the raw cases.
    public var message: (any SSHMessage)? {
        switch self {
        case .disconnect(let message): message
        case .ignore(let message): message
        case .unimplemented(let message): message
        case .debug(let message): message
        case .serviceRequest(let message): message
        case .serviceAccept(let message): message
        case .extInfo(let message): message
        case .kexInit(let message): message
        case .newKeys(let message): message
        case .keyExchangeMethod, .unknownMessage: nil
        }
    }

    /// The payload of the raw cases, number byte included.
    public var rawPayload: ByteBuffer? {
        switch self {
        case .keyExchangeMethod(_, let payload), .unknownMessage(_, let payload): payload
        default: nil
        }
    }
}
