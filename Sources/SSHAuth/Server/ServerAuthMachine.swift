import NIOCore
import SSHCrypto
import SSHTransport
import SSHWire

/// The server side of user authentication (RFC 4252, RFC 4256) as a sans-IO machine: it decodes
/// requests, verifies signatures over the session identifier itself, keeps the attempt count and
/// the AuthenticationMethods progress, and turns the delegate's decisions into replies.
public struct ServerAuthMachine: Sendable {
    /// What the driver does next.
    public enum Step: Sendable {
        /// Ask the delegate about this request, then call ``answer(_:)``.
        case decide(ServerAuthRequest)
        /// Send these payloads and read the next request.
        case reply([ByteBuffer])
    }

    /// What an answer leads to.
    public enum Outcome: Sendable {
        /// Send these payloads and go on.
        case reply([ByteBuffer])
        /// Send these payloads (USERAUTH_SUCCESS last); authentication is over.
        case authenticated([ByteBuffer], AuthenticatedIdentity)
    }

    public let configuration: ServerAuthConfiguration
    private let sessionID: [UInt8]
    private var user: String?
    private var service: String?
    private var completed: [String] = []
    private var verifiedKeys: [SSHPublicKeyIdentity] = []
    private var remainingLists: [[String]]?
    private var failures = 0
    private var pending: ServerAuthRequest?
    private var pendingKey: SSHPublicKeyIdentity?
    private var keyboardInteractiveActive = false
    private var gssapi: GSSSecurityContext?
    private let gssAcceptor: (any GSSKeyExchangeAcceptor)?
    private var passwordChangeAsked = false
    private(set) var authenticated = false

    /// A machine for the session `sessionID`.
    /// `gssAcceptor` is the context of a GSS-API key exchange, which checks `gssapi-keyex`.
    public init(
        sessionID: [UInt8], configuration: ServerAuthConfiguration = ServerAuthConfiguration(),
        gssAcceptor: (any GSSKeyExchangeAcceptor)? = nil
    ) {
        self.sessionID = sessionID
        self.gssAcceptor = gssAcceptor
        self.configuration = configuration
        self.remainingLists = configuration.authenticationMethods
    }

    /// The methods that can continue, as USERAUTH_FAILURE lists them.
    public var methodsThatCanContinue: [String] {
        if let remainingLists {
            var next: [String] = []
            for list in remainingLists { if let first = list.first, !next.contains(first) { next.append(first) } }
            return next
        }
        return configuration.methods
    }

    /// Decodes one client payload (messages 50–79); `now` (seconds since the epoch) dates
    /// certificate validity.
    public mutating func receive(_ payload: ByteBuffer, now: UInt64) throws(AuthError) -> Step {
        guard !authenticated else { throw AuthError(.protocolError, "authentication message after success (theirs)") }
        guard pending == nil else { throw AuthError(.protocolError, "a request while another is decided (ours)") }
        let message: UserAuthMessage
        do {
            message = try UserAuthMessage(
                decodingPayload: payload,
                context: keyboardInteractiveActive ? .keyboardInteractive : gssapi != nil ? .gssapi : .none)
        } catch {
            throw AuthError(.protocolError, "malformed authentication message from the client: \(error)")
        }
        switch message {
        case .request(let request):
            return try receiveRequest(request, now: now)
        case .infoResponse(let response):
            guard keyboardInteractiveActive, let user else {
                throw AuthError(.protocolError, "INFO_RESPONSE without INFO_REQUEST (theirs)")
            }
            keyboardInteractiveActive = false
            return ask(.keyboardInteractiveResponses(user: user, responses: response.responses))
        case .gssapiToken(let token):
            guard let context = gssapi, !context.isComplete else {
                throw AuthError(.protocolError, "a GSS-API token outside an unfinished context (theirs)")
            }
            return try gssapiStep(context, Array(token.value.readableBytesView))
        case .gssapiMIC(let mic):
            guard let context = gssapi, context.isComplete, let user, let service else {
                throw AuthError(.protocolError, "a GSS-API MIC before the context is established (theirs)")
            }
            gssapi = nil
            let data = UserAuthRequestMessage.gssapiMICData(
                sessionIdentifier: ByteBuffer(bytes: sessionID), userName: user, serviceName: service)
            guard (try? context.verifyMIC(Array(mic.value.readableBytesView), of: Array(data.readableBytesView))) != nil,
                let principal = context.peerName
            else { return try fail() }
            return ask(.gssapi(user: user, principal: principal))
        case .gssapiExchangeComplete:
            guard let context = gssapi, context.isComplete, let user else {
                throw AuthError(.protocolError, "GSS-API EXCHANGE_COMPLETE before the context is established (theirs)")
            }
            gssapi = nil
            // RFC 4462 §3.5: a context that offers integrity must be proved with a MIC.
            guard !context.hasIntegrity, let principal = context.peerName else { return try fail() }
            return ask(.gssapi(user: user, principal: principal))
        case .gssapiErrorToken where gssapi != nil:
            // RFC 4462 §3.9: the client's context failed; it goes on to another request.
            gssapi = nil
            return .reply([])
        default:
            throw AuthError(.protocolError, "a client may not send message \(payload.getInteger(at: payload.readerIndex, as: UInt8.self) ?? 0) (theirs)")
        }
    }

    private mutating func receiveRequest(_ request: UserAuthRequestMessage, now: UInt64) throws(AuthError) -> Step {
        keyboardInteractiveActive = false
        if gssapi != nil {
            // A GSS-API exchange left unfinished counts as a failed attempt, so that a client cannot
            // start contexts without end (sshd counts every request).
            gssapi = nil
            try countFailure()
        }
        guard configuration.services.contains(request.serviceName) else {
            throw AuthError(.refused, "the client asked for service \(request.serviceName) (theirs)")
        }
        if user != request.userName || service != request.serviceName {
            // RFC 4252 §5: a change of user or service starts over; partial success is forgotten.
            user = request.userName
            service = request.serviceName
            completed = []
            verifiedKeys = []
            remainingLists = configuration.authenticationMethods
        }
        let name = request.userName
        let method = request.method
        guard method.name == "none" || methodsThatCanContinue.contains(method.name) else {
            return try fail()
        }
        switch method {
        case .none:
            return ask(.none(user: name))
        case .password(let fields):
            if fields.newPassword != nil && !passwordChangeAsked { return try fail() }
            return ask(.password(user: name, password: fields.password, newPassword: fields.newPassword))
        case .publicKey(let fields):
            guard configuration.publicKeyAlgorithms.contains(fields.algorithm),
                let key = try? SSHPublicKey(blob: Array(fields.publicKey.readableBytesView)),
                key.signatureAlgorithms.contains(fields.algorithm)
            else { return try fail() }
            let trusted = certificateTrusted(key, user: name, now: now)
            guard let signature = fields.signature else {
                return ask(.publicKey(user: name, key: key, algorithm: fields.algorithm, signed: false, certificateTrusted: trusted))
            }
            guard let data = request.signedData(sessionIdentifier: ByteBuffer(bytes: sessionID)),
                key.isValidSignature(
                    Array(signature.readableBytesView), for: Array(data.readableBytesView), algorithm: fields.algorithm)
            else { return try fail() }
            pendingKey = SSHPublicKeyIdentity(key: key, algorithm: fields.algorithm)
            return ask(.publicKey(user: name, key: key, algorithm: fields.algorithm, signed: true, certificateTrusted: trusted))
        case .keyboardInteractive(_, let submethods):
            return ask(.keyboardInteractive(user: name, submethods: submethods))
        case .hostBased(let fields):
            guard configuration.hostBasedAlgorithms.contains(fields.algorithm),
                let key = try? SSHPublicKey(blob: Array(fields.publicKey.readableBytesView)),
                key.signatureAlgorithms.contains(fields.algorithm),
                let data = request.signedData(sessionIdentifier: ByteBuffer(bytes: sessionID)),
                key.isValidSignature(
                    Array(fields.signature.readableBytesView), for: Array(data.readableBytesView), algorithm: fields.algorithm)
            else { return try fail() }
            pendingKey = SSHPublicKeyIdentity(key: key, algorithm: fields.algorithm)
            return ask(
                .hostBased(user: name, key: key, clientHostName: fields.clientHostName, clientUserName: fields.clientUserName))
        case .gssapiWithMIC(let mechanisms):
            // Kerberos V5 is the one mechanism accepted, as sshd's.
            guard mechanisms.contains(where: { Array($0.readableBytesView) == GSSMechanism.kerberos5 }),
                let context = try? GSSSecurityContext(acceptorWithKeytab: configuration.gssapiKeytab)
            else { return try fail() }
            gssapi = context
            return .reply([UserAuthGSSAPIResponseMessage(value: ByteBuffer(bytes: GSSMechanism.kerberos5)).encodedPayload()])
        case .gssapiKeyex(let mic):
            // RFC 4462 §4: the key exchange's context checks the MIC over this request.
            let data = UserAuthRequestMessage.gssapiMICData(
                sessionIdentifier: ByteBuffer(bytes: sessionID), userName: name, serviceName: request.serviceName,
                method: "gssapi-keyex")
            guard let gssAcceptor,
                (try? gssAcceptor.verifyMIC(Array(mic.readableBytesView), of: Array(data.readableBytesView))) != nil,
                let principal = gssAcceptor.peerName
            else { return try fail() }
            return ask(.gssapiKeyExchange(user: name, principal: principal))
        case .unknown:
            return try fail()
        }
    }

    /// One token of the client's into the acceptor; its answer token, if any, goes back (RFC 4462 §3.4).
    private mutating func gssapiStep(_ context: GSSSecurityContext, _ token: [UInt8]) throws(AuthError) -> Step {
        let answer: [UInt8]
        do {
            answer = try context.accept(token)
        } catch {
            gssapi = nil
            let message = UserAuthGSSAPIErrorMessage(
                majorStatus: error.majorStatus, minorStatus: error.minorStatus, message: error.message)
            return .reply([message.encodedPayload()] + (try failurePayloads()))
        }
        return .reply(answer.isEmpty ? [] : [UserAuthGSSAPITokenMessage(value: ByteBuffer(bytes: answer)).encodedPayload()])
    }

    private func certificateTrusted(_ key: SSHPublicKey, user: String, now: UInt64) -> Bool {
        guard let certificate = key.certificate else { return false }
        do {
            try certificate.validate(
                kind: .user, principal: user, now: now, trustedAuthorities: configuration.trustedUserCAKeys)
            return true
        } catch {
            return false
        }
    }

    private mutating func ask(_ request: ServerAuthRequest) -> Step {
        pending = request
        return .decide(request)
    }

    /// Turns the delegate's decision on the pending request into replies.
    public mutating func answer(_ decision: ServerAuthDecision) throws(AuthError) -> Outcome {
        guard let request = pending else { throw AuthError(.protocolError, "no request is being decided (ours)") }
        pending = nil
        let key = pendingKey
        pendingKey = nil
        switch (decision, request) {
        case (.publicKeyAcceptable, .publicKey(_, let key, let algorithm, false, _)):
            return .reply([UserAuthPKOKMessage(algorithm: algorithm, publicKey: ByteBuffer(bytes: key.blob)).encodedPayload()])
        case (.changePassword(let prompt), .password):
            passwordChangeAsked = true
            return .reply([UserAuthPasswordChangeRequestMessage(message: prompt).encodedPayload()])
        case (.prompt(let challenge), .keyboardInteractive), (.prompt(let challenge), .keyboardInteractiveResponses):
            keyboardInteractiveActive = true
            let message = UserAuthInfoRequestMessage(
                name: challenge.name, instruction: challenge.instruction, prompts: challenge.prompts)
            return .reply([message.encodedPayload()])
        case (.success, .publicKey(_, _, _, false, _)):
            // A query cannot log anybody in: only a verified signature can.
            return .reply(try failurePayloads())
        case (.success, _):
            return try succeed(request.method, key: key)
        case (_, .none):
            // As sshd does, the `none` probe is not counted as a failed attempt.
            return .reply([UserAuthFailureMessage(authentications: methodsThatCanContinue, partialSuccess: false).encodedPayload()])
        default:
            return .reply(try failurePayloads())
        }
    }

    private mutating func succeed(_ method: String, key: SSHPublicKeyIdentity?) throws(AuthError) -> Outcome {
        completed.append(method)
        if let key { verifiedKeys.append(key) }
        if var lists = remainingLists {
            var done = false
            for index in lists.indices where lists[index].first == method {
                lists[index].removeFirst()
                if lists[index].isEmpty { done = true }
            }
            remainingLists = lists
            if !done {
                return .reply([UserAuthFailureMessage(authentications: methodsThatCanContinue, partialSuccess: true).encodedPayload()])
            }
        }
        authenticated = true
        let identity = AuthenticatedIdentity(
            user: user ?? "", service: service ?? "", methods: completed, verifiedKeys: verifiedKeys)
        return .authenticated([UserAuthSuccessMessage().encodedPayload()], identity)
    }

    private mutating func fail() throws(AuthError) -> Step {
        .reply(try failurePayloads())
    }

    private mutating func failurePayloads() throws(AuthError) -> [ByteBuffer] {
        try countFailure()
        return [UserAuthFailureMessage(authentications: methodsThatCanContinue, partialSuccess: false).encodedPayload()]
    }

    private mutating func countFailure() throws(AuthError) {
        failures += 1
        // sshd's MaxAuthTries: the failure that reaches the limit ends the connection.
        if failures >= configuration.maximumAttempts {
            throw AuthError(.exhausted, "too many authentication failures (theirs)")
        }
    }
}
