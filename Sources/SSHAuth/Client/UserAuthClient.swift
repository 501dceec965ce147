import Logging
import NIOCore
import NIOPosix
import SSHCrypto
import SSHTransport
import SSHWire

/// The client authenticator (RFC 4252): tries each credential whose method the server allows, in
/// order, following partial success (several factors) until the server says success or nothing
/// is left. The first credential goes without asking (`none`) for the allowed methods first: the
/// server's answer to it names them; `none` itself is tried when no credential is left.
public struct UserAuthClient: Sendable {
    /// The user to log in as.
    public var userName: String
    /// The service to start, normally `ssh-connection`.
    public var serviceName = "ssh-connection"
    /// Receives `SSH_MSG_USERAUTH_BANNER` texts (RFC 4252 §5.4).
    public var bannerHandler: (@Sendable (String) async -> Void)?
    /// Asked for a new password when the server says the old one expired (RFC 4252 §8); nil
    /// gives the password method up.
    public var passwordChangeHandler: (@Sendable (_ prompt: String) async -> String?)?
    /// The longest authentication may take.
    public var timeLimit: Duration? = .seconds(120)
    /// The signature algorithms we are willing to sign with (ssh_config's PubkeyAcceptedAlgorithms,
    /// Paramiko's `disabled_algorithms["pubkeys"]` the other way round); nil allows all.
    public var publicKeyAlgorithms: [String]?
    /// Where each attempt is told at `debug`, as `ssh -v` shows them: the methods the server
    /// allows, the method and key tried, the key the server accepts, the success. Silent by default.
    public var logger = Logger(label: "paramiko.auth", factory: { _ in SwiftLogNoOpLogHandler() })

    /// An authenticator for `userName`.
    public init(userName: String) {
        self.userName = userName
    }

    /// Runs authentication over `transport` with `credentials`, tried in order.
    public func authenticate(over transport: some AuthenticationTransport, credentials: [AuthCredential])
        async throws -> UserAuthResult
    {
        try await withTimeLimit(timeLimit, "authentication took longer than \(timeLimit.map { "\($0)" } ?? "")") {
            try await run(transport, credentials)
        }
    }

    private func run(_ transport: some AuthenticationTransport, _ credentials: [AuthCredential]) async throws
        -> UserAuthResult
    {
        var conversation = Conversation(
            machine: ClientAuthMachine(userName: userName, serviceName: serviceName, sessionID: await transport.sessionID),
            transport: transport, bannerHandler: bannerHandler)
        var succeeded: [String] = []
        var keys: [SSHPublicKey] = []
        // With credentials at hand the first one goes at once, as Paramiko does: a server that
        // does not allow its method answers with the methods it allows, as it would `none`, and
        // the round trip (and a server's first look at the user) is saved. `none` is asked last.
        // Unless the first credential asks our user: a prompt waits until the server allows its method.
        var allowed = credentials.first?.asksUser == true ? [] : credentials.map(\.method)
        var askedNone = false
        let signatureAlgorithms = await transport.serverSignatureAlgorithms
        var tried = Set<Int>()
        while true {
            guard let index = credentials.indices.first(where: { !tried.contains($0) && allowed.contains(credentials[$0].method) })
            else {
                if !askedNone, succeeded.isEmpty {
                    askedNone = true
                    switch try await conversation.exchange({ $0.noneRequest() }) {
                    case .success:
                        return UserAuthResult(method: "none", methods: ["none"], acceptedKeys: [])
                    case .failure(let methods, _):
                        logger.debug("Authentications that can continue: \(methods.joined(separator: ","))")
                        allowed = methods
                        continue
                    default:
                        throw AuthError(.protocolError, "unexpected answer to `none` (theirs)")
                    }
                }
                throw AuthError(
                    .exhausted, "the server accepted none of our credentials; it allows \(allowed.joined(separator: ","))",
                    allowedMethods: allowed)
            }
            tried.insert(index)
            let credential = credentials[index]
            logger.debug("Next authentication method: \(credential.method)")
            let outcome = try await attempt(credential, &conversation, signatureAlgorithms: signatureAlgorithms)
            switch outcome {
            case .success(let key):
                logger.debug("Authentication succeeded (\(credential.method)).")
                succeeded.append(credential.method)
                if let key { keys.append(key) }
                return UserAuthResult(method: credential.method, methods: succeeded, acceptedKeys: keys)
            case .failure(let methods, let partial, let key):
                if partial { logger.debug("Authenticated using \"\(credential.method)\" with partial success.") }
                logger.debug("Authentications that can continue: \(methods.joined(separator: ","))")
                allowed = methods
                // A method the server did not allow yet (the first credential goes before we
                // know) stays to try once it does, after another factor's partial success.
                if !partial && !methods.contains(credential.method) { tried.remove(index) }
                if partial {
                    succeeded.append(credential.method)
                    if let key { keys.append(key) }
                }
            case .skipped:
                continue
            }
        }
    }

    private enum Outcome {
        case success(SSHPublicKey?)
        case failure(methods: [String], partial: Bool, key: SSHPublicKey?)
        case skipped
    }

    private func attempt(
        _ credential: AuthCredential, _ conversation: inout Conversation<some AuthenticationTransport>,
        signatureAlgorithms: [String]?
    ) async throws -> Outcome {
        switch credential {
        case .passwordPrompt(let prompt):
            guard let password = await prompt() else { return .skipped }
            return try await attempt(.password(password), &conversation, signatureAlgorithms: signatureAlgorithms)

        case .password(let password):
            var event = try await conversation.exchange { $0.passwordRequest(password) }
            if case .passwordChangeRequested(let prompt) = event {
                guard let newPassword = await passwordChangeHandler?(prompt) else { return .skipped }
                event = try await conversation.exchange { $0.passwordRequest(password, newPassword: newPassword) }
            }
            return try Self.outcome(event, key: nil)

        case .publicKey(let signer):
            let key = signer.publicKey
            guard let algorithm = Self.signatureAlgorithm(
                for: key, serverAccepts: signatureAlgorithms, ourChoice: publicKeyAlgorithms)
            else {
                logger.debug("Skipping \(key.keyType) \(key.fingerprint()): no signature algorithm both sides allow")
                return .skipped
            }
            logger.debug("Offering public key: \(key.keyType) \(key.fingerprint())")
            if !signer.signsWithoutQuery {
                let answer = try await conversation.exchange { $0.publicKeyQuery(key, algorithm: algorithm) }
                guard case .publicKeyAcceptable = answer else { return try Self.outcome(answer, key: nil) }
                logger.debug("Server accepts key: \(key.keyType) \(key.fingerprint())")
            }
            let data = conversation.machine.publicKeySignedData(key, algorithm: algorithm)
            let signature: [UInt8]
            do {
                signature = try await signer.sign(data, algorithm: algorithm)
            } catch let error as AuthError where error.code == .declined {
                logger.debug("Skipping \(key.keyType) \(key.fingerprint()): \(error.detail)")
                return .skipped
            } catch {
                throw AuthError(.invalidCredential, "signing with \(key.keyType) \(key.fingerprint()) failed: \(error)")
            }
            let event = try await conversation.exchange {
                $0.signedPublicKeyRequest(key, algorithm: algorithm, signature: signature)
            }
            return try Self.outcome(event, key: key)

        case .keyboardInteractive(let responder):
            var event = try await conversation.exchange { $0.keyboardInteractiveRequest() }
            while case .infoRequest(let request) = event {
                let challenge = KeyboardInteractiveChallenge(
                    name: request.name, instruction: request.instruction, prompts: request.prompts)
                guard let responses = try await responder(challenge), responses.count == request.prompts.count else {
                    return .skipped
                }
                event = try await conversation.exchange { try $0.infoResponse(responses) }
            }
            return try Self.outcome(event, key: nil)

        case .hostBased(let signer, let host, let user):
            let key = signer.publicKey
            guard let algorithm = Self.signatureAlgorithm(
                for: key, serverAccepts: signatureAlgorithms, ourChoice: publicKeyAlgorithms)
            else { return .skipped }
            let data = conversation.machine.hostBasedSignedData(
                key, algorithm: algorithm, clientHostName: host, clientUserName: user)
            let signature = try await signer.sign(data, algorithm: algorithm)
            let event = try await conversation.exchange {
                $0.hostBasedRequest(key, algorithm: algorithm, clientHostName: host, clientUserName: user, signature: signature)
            }
            return try Self.outcome(event, key: key)

        case .gssapi(let options):
            return try await attemptGSSAPI(options, &conversation)

        case .gssapiKeyExchange:
            guard let context = await conversation.transport.gssContext else {
                logger.debug("Skipping gssapi-keyex: the key exchange was not a GSS-API one")
                return .skipped
            }
            let data = conversation.machine.gssapiKeyExchangeMICData
            guard let mic = try? context.mic(of: data) else {
                logger.debug("Skipping gssapi-keyex: the context made no MIC")
                return .skipped
            }
            return try Self.outcome(try await conversation.exchange { $0.gssapiKeyExchangeRequest(mic: mic) }, key: nil)
        }
    }

    /// `gssapi-with-mic` (RFC 4462 §3): the first context token is made before the request, as
    /// ssh does, so that without a ticket for the server the method is passed over unasked. Tokens
    /// go back and forth until the context is established, then the MIC over the session proves it.
    private func attemptGSSAPI(_ options: GSSAPICredential, _ conversation: inout Conversation<some AuthenticationTransport>)
        async throws -> Outcome
    {
        let context: GSSSecurityContext
        var token: [UInt8]
        do {
            (context, token) = try await NIOThreadPool.singleton.runIfActive {
                let context = try GSSSecurityContext(
                    initiatorFor: options.serviceName, delegate: options.delegatesCredentials,
                    clientPrincipal: options.clientPrincipal)
                return (context, try context.initiate(nil))
            }
        } catch {
            logger.debug("Skipping gssapi-with-mic: \(error)")
            return .skipped
        }
        var event = try await conversation.exchange { $0.gssapiRequest(mechanisms: [GSSMechanism.kerberos5]) }
        guard case .gssapiMechanism(let mechanism) = event else { return try Self.outcome(event, key: nil) }
        guard mechanism == GSSMechanism.kerberos5 else {
            throw AuthError(.protocolError, "the server chose a GSS-API mechanism we did not offer (theirs)")
        }
        while true {
            if !token.isEmpty { try await conversation.send { try $0.gssapiToken(token) } }
            if context.isComplete { break }
            event = try await gssapiAnswer(&conversation, context)
            guard case .gssapiToken(let input) = event else { return try Self.outcome(event, key: nil) }
            do {
                token = try await NIOThreadPool.singleton.runIfActive { try context.initiate(input) }
            } catch {
                logger.debug("gssapi-with-mic failed: \(error)")
                return .skipped
            }
        }
        if context.hasIntegrity {
            let data = conversation.machine.gssapiMICData
            let mic = try context.mic(of: data)
            event = try await conversation.exchange { try $0.gssapiMIC(mic) }
        } else {
            event = try await conversation.exchange { try $0.gssapiExchangeComplete() }
        }
        return try Self.outcome(try await gssapiAnswer(&conversation, context, after: event), key: nil)
    }

    /// The server's next answer in `gssapi-with-mic`, with its GSS-API errors told at `debug`
    /// (ssh -v prints them the same way) rather than returned.
    private func gssapiAnswer(
        _ conversation: inout Conversation<some AuthenticationTransport>, _ context: GSSSecurityContext,
        after first: ClientAuthEvent? = nil
    ) async throws -> ClientAuthEvent {
        var event: ClientAuthEvent
        if let first { event = first } else { event = try await conversation.answer() }
        while true {
            switch event {
            case .gssapiError(_, _, let message):
                logger.debug("Server GSSAPI Error:\n\(message)")
            case .gssapiErrorToken(let input):
                if case .failure(let error) = Result(catching: { try context.initiate(input) }) {
                    logger.debug("Server GSSAPI Error: \(error)")
                }
            default:
                return event
            }
            event = try await conversation.answer()
        }
    }

    private static func outcome(_ event: ClientAuthEvent, key: SSHPublicKey?) throws -> Outcome {
        switch event {
        case .success: return .success(key)
        case .failure(let methods, let partial): return .failure(methods: methods, partial: partial, key: key)
        default: throw AuthError(.protocolError, "unexpected answer \(event) (theirs)")
        }
    }

    /// The algorithm to sign with, among those `ourChoice` allows (nil: all): for RSA keys the
    /// strongest rsa-sha2 form the server lists in `server-sig-algs`, and `ssh-rsa` only when it
    /// lists neither (RFC 8332 §3.3, RFC 8308); other keys sign with their one algorithm.
    /// Certificates take the certificate names. Nil when we allow none of the key's algorithms.
    public static func signatureAlgorithm(for key: SSHPublicKey, serverAccepts: [String]?, ourChoice: [String]? = nil)
        -> String?
    {
        let candidates = key.signatureAlgorithms.filter { ourChoice?.contains($0) ?? true }
        guard candidates.count > 1 else { return candidates.first }
        let accepted = Set(serverAccepts ?? [])
        for candidate in candidates where accepted.contains(SSHPublicKey.plainAlgorithm(ofCertificateAlgorithm: candidate)) {
            return candidate
        }
        return candidates.last
    }
}

/// One request and its answer at a time, with banners handed over as they come.
private struct Conversation<Transport: AuthenticationTransport> {
    var machine: ClientAuthMachine
    let transport: Transport
    let bannerHandler: (@Sendable (String) async -> Void)?

    mutating func exchange(_ build: (inout ClientAuthMachine) throws -> ByteBuffer) async throws -> ClientAuthEvent {
        try await send(build)
        return try await answer()
    }

    /// Sends a message that has no answer of its own (a GSS-API token the server may take silently).
    mutating func send(_ build: (inout ClientAuthMachine) throws -> ByteBuffer) async throws {
        try await transport.send(try build(&machine))
    }

    mutating func answer() async throws -> ClientAuthEvent {
        while true {
            let event = try machine.receive(try await transport.nextPayload())
            guard case .banner(let text) = event else { return event }
            await bannerHandler?(text)
        }
    }
}
