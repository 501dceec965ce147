import NIOCore

/// Any message of the user authentication range, 50–79 (RFC 4250 §4.1.2).
///
/// Numbers 60–79 mean different things for each method, so decoding takes the method in progress.
public enum UserAuthMessage: SSHMessageRange {
    /// Which method's meanings numbers 60–79 have (RFC 4252 §6).
    public enum MethodContext: Hashable, Sendable, CaseIterable {
        /// No method in progress: 60–79 are unknown.
        case none
        /// `publickey`: 60 is PK_OK (RFC 4252 §7).
        case publicKey
        /// `password`: 60 is PASSWD_CHANGEREQ (RFC 4252 §8).
        case password
        /// `keyboard-interactive`: 60 INFO_REQUEST, 61 INFO_RESPONSE (RFC 4256 §5).
        case keyboardInteractive
        /// `gssapi-with-mic`: 60, 61, 63–66 (RFC 4462 §3).
        case gssapi
    }

    case request(UserAuthRequestMessage)
    case failure(UserAuthFailureMessage)
    case success(UserAuthSuccessMessage)
    case banner(UserAuthBannerMessage)
    case pkOK(UserAuthPKOKMessage)
    case passwordChangeRequest(UserAuthPasswordChangeRequestMessage)
    case infoRequest(UserAuthInfoRequestMessage)
    case infoResponse(UserAuthInfoResponseMessage)
    case gssapiResponse(UserAuthGSSAPIResponseMessage)
    case gssapiToken(UserAuthGSSAPITokenMessage)
    case gssapiExchangeComplete(UserAuthGSSAPIExchangeCompleteMessage)
    case gssapiError(UserAuthGSSAPIErrorMessage)
    case gssapiErrorToken(UserAuthGSSAPIErrorTokenMessage)
    case gssapiMIC(UserAuthGSSAPIMICMessage)
    /// A number in 50–79 with no meaning in `context`; answer with `SSH_MSG_UNIMPLEMENTED`.
    case unknownMessage(number: UInt8, payload: ByteBuffer)

    /// The numbers this enum covers.
    public static let messageNumbers: ClosedRange<UInt8> = 50...79

    /// Decodes a whole payload, number byte included. Numbers outside 50–79 throw `.unexpectedMessage`.
    public init(decodingPayload payload: ByteBuffer, context: MethodContext) throws(WireError) {
        var body = payload
        let number = try body.readSSHByte()
        switch (number, context) {
        case (50, _): self = .request(try UserAuthRequestMessage(decoding: &body))
        case (51, _): self = .failure(try UserAuthFailureMessage(decoding: &body))
        case (52, _): self = .success(try UserAuthSuccessMessage(decoding: &body))
        case (53, _): self = .banner(try UserAuthBannerMessage(decoding: &body))
        case (60, .publicKey): self = .pkOK(try UserAuthPKOKMessage(decoding: &body))
        case (60, .password): self = .passwordChangeRequest(try UserAuthPasswordChangeRequestMessage(decoding: &body))
        case (60, .keyboardInteractive): self = .infoRequest(try UserAuthInfoRequestMessage(decoding: &body))
        case (61, .keyboardInteractive): self = .infoResponse(try UserAuthInfoResponseMessage(decoding: &body))
        case (60, .gssapi): self = .gssapiResponse(try UserAuthGSSAPIResponseMessage(decoding: &body))
        case (61, .gssapi): self = .gssapiToken(try UserAuthGSSAPITokenMessage(decoding: &body))
        case (63, .gssapi): self = .gssapiExchangeComplete(try UserAuthGSSAPIExchangeCompleteMessage(decoding: &body))
        case (64, .gssapi): self = .gssapiError(try UserAuthGSSAPIErrorMessage(decoding: &body))
        case (65, .gssapi): self = .gssapiErrorToken(try UserAuthGSSAPIErrorTokenMessage(decoding: &body))
        case (66, .gssapi): self = .gssapiMIC(try UserAuthGSSAPIMICMessage(decoding: &body))
        case (Self.messageNumbers, _): self = .unknownMessage(number: number, payload: payload)
        default: throw WireError(.unexpectedMessage, "message \(number) is not a user authentication message")
        }
    }

    /// The message inside, or nil for ``unknownMessage(number:payload:)``.
    public var message: (any SSHMessage)? {
        switch self {
        case .request(let message): message
        case .failure(let message): message
        case .success(let message): message
        case .banner(let message): message
        case .pkOK(let message): message
        case .passwordChangeRequest(let message): message
        case .infoRequest(let message): message
        case .infoResponse(let message): message
        case .gssapiResponse(let message): message
        case .gssapiToken(let message): message
        case .gssapiExchangeComplete(let message): message
        case .gssapiError(let message): message
        case .gssapiErrorToken(let message): message
        case .gssapiMIC(let message): message
        case .unknownMessage: nil
        }
    }

    /// The payload of ``unknownMessage(number:payload:)``, number byte included.
    public var rawPayload: ByteBuffer? {
        if case .unknownMessage(_, let payload) = self { return payload }
        return nil
    }
}
