import NIOCore
import SSHCrypto
import SSHWire

/// The client side of the user authentication protocol (RFC 4252, RFC 4256) as a sans-IO
/// machine: it builds request payloads and decodes what the server answers, in the method
/// context of the last request, so numbers 60–79 mean what the method in progress says.
/// Deciding which credential to try is ``UserAuthClient``'s job.
public struct ClientAuthMachine: Sendable {
    /// The user name requests carry.
    public let userName: String
    /// The service to start once authenticated, normally `ssh-connection`.
    public let serviceName: String
    /// The transport's session identifier, the first field of signed data.
    public let sessionID: [UInt8]
    private var context: UserAuthMessage.MethodContext = .none
    private var awaitingReply = false

    /// A machine for `userName` asking for `serviceName` in the session `sessionID`.
    public init(userName: String, serviceName: String = "ssh-connection", sessionID: [UInt8]) {
        self.userName = userName
        self.serviceName = serviceName
        self.sessionID = sessionID
    }

    /// A `none` request (RFC 4252 §5.2), which learns the methods that can continue.
    public mutating func noneRequest() -> ByteBuffer {
        request(.none, context: .none)
    }

    /// A `password` request (RFC 4252 §8); with `newPassword`, the answer to PASSWD_CHANGEREQ.
    public mutating func passwordRequest(_ password: String, newPassword: String? = nil) -> ByteBuffer {
        request(.password(.init(password: password, newPassword: newPassword)), context: .password)
    }

    /// A `publickey` query without signature (RFC 4252 §7): would the server take this key?
    public mutating func publicKeyQuery(_ key: SSHPublicKey, algorithm: String) -> ByteBuffer {
        request(.publicKey(.init(algorithm: algorithm, publicKey: ByteBuffer(bytes: key.blob))), context: .publicKey)
    }

    /// The bytes a `publickey` signature covers for `key` and `algorithm` (RFC 4252 §7).
    public func publicKeySignedData(_ key: SSHPublicKey, algorithm: String) -> [UInt8] {
        let message = UserAuthRequestMessage(
            userName: userName, serviceName: serviceName,
            method: .publicKey(.init(algorithm: algorithm, publicKey: ByteBuffer(bytes: key.blob))))
        let data = message.signedData(sessionIdentifier: ByteBuffer(bytes: sessionID)) ?? ByteBuffer()
        return Array(data.readableBytesView)
    }

    /// The signed `publickey` request, with `signature` over ``publicKeySignedData(_:algorithm:)``.
    public mutating func signedPublicKeyRequest(_ key: SSHPublicKey, algorithm: String, signature: [UInt8]) -> ByteBuffer {
        request(
            .publicKey(
                .init(algorithm: algorithm, publicKey: ByteBuffer(bytes: key.blob), signature: ByteBuffer(bytes: signature))),
            context: .publicKey)
    }

    /// The bytes a `hostbased` signature covers (RFC 4252 §9).
    public func hostBasedSignedData(_ key: SSHPublicKey, algorithm: String, clientHostName: String, clientUserName: String)
        -> [UInt8]
    {
        let message = hostBasedMessage(key, algorithm: algorithm, host: clientHostName, user: clientUserName, signature: [])
        let data = message.signedData(sessionIdentifier: ByteBuffer(bytes: sessionID)) ?? ByteBuffer()
        return Array(data.readableBytesView)
    }

    /// The `hostbased` request with its signature (RFC 4252 §9).
    public mutating func hostBasedRequest(
        _ key: SSHPublicKey, algorithm: String, clientHostName: String, clientUserName: String, signature: [UInt8]
    ) -> ByteBuffer {
        let message = hostBasedMessage(key, algorithm: algorithm, host: clientHostName, user: clientUserName, signature: signature)
        return encode(message, context: .none)
    }

    private func hostBasedMessage(_ key: SSHPublicKey, algorithm: String, host: String, user: String, signature: [UInt8])
        -> UserAuthRequestMessage
    {
        UserAuthRequestMessage(
            userName: userName, serviceName: serviceName,
            method: .hostBased(
                .init(
                    algorithm: algorithm, publicKey: ByteBuffer(bytes: key.blob), clientHostName: host,
                    clientUserName: user, signature: ByteBuffer(bytes: signature))))
    }

    /// A `keyboard-interactive` request (RFC 4256 §3.1).
    public mutating func keyboardInteractiveRequest(submethods: String = "") -> ByteBuffer {
        request(.keyboardInteractive(languageTag: "", submethods: submethods), context: .keyboardInteractive)
    }

    /// `SSH_MSG_USERAUTH_INFO_RESPONSE` (RFC 4256 §3.4).
    public mutating func infoResponse(_ responses: [String]) throws(AuthError) -> ByteBuffer {
        guard context == .keyboardInteractive else {
            throw AuthError(.protocolError, "an INFO_RESPONSE outside keyboard-interactive (ours)")
        }
        awaitingReply = true
        return UserAuthInfoResponseMessage(responses: responses).encodedPayload()
    }

    /// A `gssapi-with-mic` request (RFC 4462 §3.2) offering `mechanisms`, DER-encoded OIDs.
    public mutating func gssapiRequest(mechanisms: [[UInt8]]) -> ByteBuffer {
        request(.gssapiWithMIC(mechanisms: mechanisms.map { ByteBuffer(bytes: $0) }), context: .gssapi)
    }

    /// `SSH_MSG_USERAUTH_GSSAPI_TOKEN` (RFC 4462 §3.4): our next context token.
    public mutating func gssapiToken(_ token: [UInt8]) throws(AuthError) -> ByteBuffer {
        try gssapiMessage(UserAuthGSSAPITokenMessage(value: ByteBuffer(bytes: token)))
    }

    /// `SSH_MSG_USERAUTH_GSSAPI_MIC` (RFC 4462 §3.5): the MIC over ``gssapiMICData``.
    public mutating func gssapiMIC(_ mic: [UInt8]) throws(AuthError) -> ByteBuffer {
        try gssapiMessage(UserAuthGSSAPIMICMessage(value: ByteBuffer(bytes: mic)))
    }

    /// `SSH_MSG_USERAUTH_GSSAPI_EXCHANGE_COMPLETE` (RFC 4462 §3.5), for a context without integrity.
    public mutating func gssapiExchangeComplete() throws(AuthError) -> ByteBuffer {
        try gssapiMessage(UserAuthGSSAPIExchangeCompleteMessage())
    }

    /// The bytes the `gssapi-with-mic` MIC covers (RFC 4462 §3.5).
    public var gssapiMICData: [UInt8] { micData(method: "gssapi-with-mic") }

    /// The bytes the `gssapi-keyex` MIC covers (RFC 4462 §4).
    public var gssapiKeyExchangeMICData: [UInt8] { micData(method: "gssapi-keyex") }

    private func micData(method: String) -> [UInt8] {
        let data = UserAuthRequestMessage.gssapiMICData(
            sessionIdentifier: ByteBuffer(bytes: sessionID), userName: userName, serviceName: serviceName, method: method)
        return Array(data.readableBytesView)
    }

    /// A `gssapi-keyex` request (RFC 4462 §4): the key exchange's context's MIC over
    /// ``gssapiKeyExchangeMICData``.
    public mutating func gssapiKeyExchangeRequest(mic: [UInt8]) -> ByteBuffer {
        request(.gssapiKeyex(mic: ByteBuffer(bytes: mic)), context: .none)
    }

    private mutating func gssapiMessage(_ message: some SSHMessage) throws(AuthError) -> ByteBuffer {
        guard context == .gssapi else {
            throw AuthError(.protocolError, "a GSS-API message outside gssapi-with-mic (ours)")
        }
        awaitingReply = true
        return message.encodedPayload()
    }

    /// Decodes one server payload (message 50–79) in the context of the request in flight.
    public mutating func receive(_ payload: ByteBuffer) throws(AuthError) -> ClientAuthEvent {
        let message: UserAuthMessage
        do {
            message = try UserAuthMessage(decodingPayload: payload, context: context)
        } catch {
            throw AuthError(.protocolError, "malformed authentication message from the server: \(error)")
        }
        switch message {
        case .banner(let banner):
            return .banner(banner.message)
        case .success:
            guard awaitingReply else { throw AuthError(.protocolError, "USERAUTH_SUCCESS with no request (theirs)") }
            awaitingReply = false
            return .success
        case .failure(let failure):
            guard awaitingReply else { throw AuthError(.protocolError, "USERAUTH_FAILURE with no request (theirs)") }
            awaitingReply = false
            context = .none
            return .failure(methods: failure.authentications, partialSuccess: failure.partialSuccess)
        case .pkOK where awaitingReply:
            awaitingReply = false
            return .publicKeyAcceptable
        case .passwordChangeRequest(let request) where awaitingReply:
            awaitingReply = false
            return .passwordChangeRequested(prompt: request.message)
        case .infoRequest(let request) where awaitingReply:
            awaitingReply = false
            return .infoRequest(request)
        case .gssapiResponse(let response) where awaitingReply:
            return .gssapiMechanism(Array(response.value.readableBytesView))
        case .gssapiToken(let token) where awaitingReply:
            return .gssapiToken(Array(token.value.readableBytesView))
        case .gssapiError(let error) where awaitingReply:
            return .gssapiError(majorStatus: error.majorStatus, minorStatus: error.minorStatus, message: error.message)
        case .gssapiErrorToken(let token) where awaitingReply:
            return .gssapiErrorToken(Array(token.value.readableBytesView))
        default:
            throw AuthError(.protocolError, "unexpected authentication message \(payload.getInteger(at: payload.readerIndex, as: UInt8.self) ?? 0) (theirs)")
        }
    }

    private mutating func request(_ method: UserAuthMethod, context: UserAuthMessage.MethodContext) -> ByteBuffer {
        encode(UserAuthRequestMessage(userName: userName, serviceName: serviceName, method: method), context: context)
    }

    private mutating func encode(_ message: UserAuthRequestMessage, context: UserAuthMessage.MethodContext) -> ByteBuffer {
        self.context = context
        awaitingReply = true
        return message.encodedPayload()
    }
}
