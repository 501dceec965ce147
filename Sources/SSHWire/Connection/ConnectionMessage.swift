import NIOCore

/// Any message of the connection protocol's range, 80–127 (RFC 4250 §4.1.2).
public enum ConnectionMessage: SSHMessageRange {
    case globalRequest(GlobalRequestMessage)
    case requestSuccess(RequestSuccessMessage)
    case requestFailure(RequestFailureMessage)
    case channelOpen(ChannelOpenMessage)
    case channelOpenConfirmation(ChannelOpenConfirmationMessage)
    case channelOpenFailure(ChannelOpenFailureMessage)
    case channelWindowAdjust(ChannelWindowAdjustMessage)
    case channelData(ChannelDataMessage)
    case channelExtendedData(ChannelExtendedDataMessage)
    case channelEOF(ChannelEOFMessage)
    case channelClose(ChannelCloseMessage)
    case channelRequest(ChannelRequestMessage)
    case channelSuccess(ChannelSuccessMessage)
    case channelFailure(ChannelFailureMessage)
    /// A number in 80–127 that nothing here defines; answer with `SSH_MSG_UNIMPLEMENTED`.
    case unknownMessage(number: UInt8, payload: ByteBuffer)

    /// The numbers this enum covers.
    public static let messageNumbers: ClosedRange<UInt8> = 80...127

    /// Decodes a whole payload, number byte included. Numbers outside 80–127 throw `.unexpectedMessage`.
    public init(decodingPayload payload: ByteBuffer) throws(WireError) {
        var body = payload
        let number = try body.readSSHByte()
        switch number {
        case 80: self = .globalRequest(try GlobalRequestMessage(decoding: &body))
        case 81: self = .requestSuccess(try RequestSuccessMessage(decoding: &body))
        case 82: self = .requestFailure(try RequestFailureMessage(decoding: &body))
        case 90: self = .channelOpen(try ChannelOpenMessage(decoding: &body))
        case 91: self = .channelOpenConfirmation(try ChannelOpenConfirmationMessage(decoding: &body))
        case 92: self = .channelOpenFailure(try ChannelOpenFailureMessage(decoding: &body))
        case 93: self = .channelWindowAdjust(try ChannelWindowAdjustMessage(decoding: &body))
        case 94: self = .channelData(try ChannelDataMessage(decoding: &body))
        case 95: self = .channelExtendedData(try ChannelExtendedDataMessage(decoding: &body))
        case 96: self = .channelEOF(try ChannelEOFMessage(decoding: &body))
        case 97: self = .channelClose(try ChannelCloseMessage(decoding: &body))
        case 98: self = .channelRequest(try ChannelRequestMessage(decoding: &body))
        case 99: self = .channelSuccess(try ChannelSuccessMessage(decoding: &body))
        case 100: self = .channelFailure(try ChannelFailureMessage(decoding: &body))
        case Self.messageNumbers: self = .unknownMessage(number: number, payload: payload)
        default: throw WireError(.unexpectedMessage, "message \(number) is not a connection message")
        }
    }

    /// The message inside, or nil for ``unknownMessage(number:payload:)``.
    public var message: (any SSHMessage)? {
        switch self {
        case .globalRequest(let message): message
        case .requestSuccess(let message): message
        case .requestFailure(let message): message
        case .channelOpen(let message): message
        case .channelOpenConfirmation(let message): message
        case .channelOpenFailure(let message): message
        case .channelWindowAdjust(let message): message
        case .channelData(let message): message
        case .channelExtendedData(let message): message
        case .channelEOF(let message): message
        case .channelClose(let message): message
        case .channelRequest(let message): message
        case .channelSuccess(let message): message
        case .channelFailure(let message): message
        case .unknownMessage: nil
        }
    }

    /// The payload of ``unknownMessage(number:payload:)``, number byte included.
    public var rawPayload: ByteBuffer? {
        if case .unknownMessage(_, let payload) = self { return payload }
        return nil
    }
}
