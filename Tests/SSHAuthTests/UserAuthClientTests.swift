import NIOConcurrencyHelpers
import NIOCore
import SSHAuth
import SSHCrypto
import SSHWire
import Testing

/// A server scripted in the test: each request the client sends is answered by `reply`.
final class ScriptedServer: AuthenticationTransport, @unchecked Sendable {
    let sessionID: [UInt8] = Array(repeating: 7, count: 32)
    let serverSignatureAlgorithms: [String]?
    private let lock = NIOLock()
    private var pending: [ByteBuffer] = []
    private var requests: [ByteBuffer] = []
    private let reply: @Sendable (ByteBuffer, Int) -> [any SSHMessage]

    init(signatureAlgorithms: [String]? = ["rsa-sha2-512", "rsa-sha2-256", "ssh-ed25519"],
        reply: @escaping @Sendable (ByteBuffer, Int) -> [any SSHMessage])
    {
        self.serverSignatureAlgorithms = signatureAlgorithms
        self.reply = reply
    }

    var received: [ByteBuffer] { lock.withLock { requests } }

    func send(_ payload: ByteBuffer) async throws {
        let answers = lock.withLock { () -> [any SSHMessage] in
            requests.append(payload)
            return reply(payload, requests.count - 1)
        }
        lock.withLock { pending += answers.map { $0.encodedPayload() } }
    }

    func nextPayload() async throws -> ByteBuffer {
        while true {
            if let next = lock.withLock({ pending.isEmpty ? nil : pending.removeFirst() }) { return next }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    static func method(of payload: ByteBuffer) -> UserAuthMethod? {
        (try? UserAuthRequestMessage(decodingPayload: payload))?.method
    }
}

@Suite struct UserAuthClientTests {
    static func failure(_ methods: [String], _ partial: Bool) -> UserAuthFailureMessage {
        UserAuthFailureMessage(authentications: methods, partialSuccess: partial)
    }

    @Test func rsaAlgorithmFollowsServerSigAlgs() throws {
        let rsa = try SSHPrivateKey.generate(.rsa, bits: 2048).publicKey
        #expect(UserAuthClient.signatureAlgorithm(for: rsa, serverAccepts: ["rsa-sha2-512", "rsa-sha2-256"]) == "rsa-sha2-512")
        #expect(UserAuthClient.signatureAlgorithm(for: rsa, serverAccepts: ["ssh-ed25519", "rsa-sha2-256"]) == "rsa-sha2-256")
        #expect(UserAuthClient.signatureAlgorithm(for: rsa, serverAccepts: nil) == "ssh-rsa")
        #expect(UserAuthClient.signatureAlgorithm(for: rsa, serverAccepts: ["ssh-ed25519"]) == "ssh-rsa")
        #expect(UserAuthClient.signatureAlgorithm(for: rsa, serverAccepts: nil, ourChoice: ["ssh-ed25519"]) == nil)
        let ed = try SSHPrivateKey.generate(.ed25519).publicKey
        #expect(UserAuthClient.signatureAlgorithm(for: ed, serverAccepts: nil) == "ssh-ed25519")
        let authority = try SSHPrivateKey.generate(.ed25519)
        let certificate = try authority.certify(rsa, SSHCertificateRequest(kind: .user, keyID: "u", principals: ["u"]))
        #expect(
            UserAuthClient.signatureAlgorithm(for: certificate, serverAccepts: ["rsa-sha2-256"])
                == "rsa-sha2-256-cert-v01@openssh.com")
    }

    @Test func machineRefusesRepliesOutOfTurn() throws {
        var machine = ClientAuthMachine(userName: "u", sessionID: [1])
        #expect(throws: AuthError.self) { try machine.receive(UserAuthSuccessMessage().encodedPayload()) }
        _ = machine.noneRequest()
        // 60 means nothing after `none`.
        #expect(throws: AuthError.self) {
            try machine.receive(UserAuthPKOKMessage(algorithm: "ssh-ed25519", publicKey: ByteBuffer()).encodedPayload())
        }
        var garbage = ByteBuffer()
        garbage.writeInteger(UInt8(51))
        garbage.writeInteger(UInt32(0xFFFF_FFFF))
        #expect(throws: AuthError.self) { try machine.receive(garbage) }
        #expect(try machine.receive(UserAuthBannerMessage(message: "hi").encodedPayload()) == .banner("hi"))
    }

    /// publickey answered with partial success, then password, with a banner between and an
    /// expired password changed through the callback.
    @Test func partialSuccessThenChangedPassword() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        // A server that wants a key first, then a password, and greets with a banner.
        let keyDone = NIOLockedValueBox(false)
        let server = ScriptedServer { payload, index in
            let banner: [any SSHMessage] = index == 0 ? [UserAuthBannerMessage(message: "welcome")] : []
            switch ScriptedServer.method(of: payload) {
            case .some(.none): return banner + [Self.failure(["publickey"], false)]
            case .publicKey(let fields) where fields.signature == nil:
                return banner + [UserAuthPKOKMessage(algorithm: fields.algorithm, publicKey: fields.publicKey)]
            case .publicKey:
                keyDone.withLockedValue { $0 = true }
                return banner + [Self.failure(["password"], true)]
            case .password where !keyDone.withLockedValue({ $0 }): return banner + [Self.failure(["publickey"], false)]
            case .password(let fields) where fields.newPassword == nil:
                return [UserAuthPasswordChangeRequestMessage(message: "expired")]
            case .password(let fields) where fields.newPassword == "new": return [UserAuthSuccessMessage()]
            default: return [Self.failure(["password"], false)]
            }
        }
        var client = UserAuthClient(userName: "alice")
        let banners = NIOLockedValueBox<[String]>([])
        client.bannerHandler = { text in banners.withLockedValue { $0.append(text) } }
        client.passwordChangeHandler = { prompt in prompt == "expired" ? "new" : nil }
        let result = try await client.authenticate(over: server, credentials: [.password("old"), .publicKey(key)])
        #expect(result.methods == ["publickey", "password"])
        #expect(result.acceptedKeys == [key.publicKey])
        #expect(banners.withLockedValue { $0 } == ["welcome"])
        // The signed request verifies over the session identifier.
        let signed = try #require(server.received.compactMap { payload -> UserAuthRequestMessage? in
            guard let message = try? UserAuthRequestMessage(decodingPayload: payload),
                case .publicKey(let fields) = message.method, fields.signature != nil
            else { return nil }
            return message
        }.first)
        guard case .publicKey(let fields) = signed.method, let signature = fields.signature else {
            Issue.record("no signature")
            return
        }
        let data = try #require(signed.signedData(sessionIdentifier: ByteBuffer(bytes: server.sessionID)))
        #expect(key.publicKey.isValidSignature(Array(signature.readableBytesView), for: Array(data.readableBytesView)))
    }

    /// A signer that, like an agent's, leaves the choice to the default: offer the key first.
    struct OfferingSigner: SSHSigner {
        let key: SSHPrivateKey
        var publicKey: SSHPublicKey { key.publicKey }
        func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
            try await key.sign(data, algorithm: algorithm)
        }
    }

    @Test func aKeyInMemorySignsAtOnceAndOthersAskFirst() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        for (credential, queries) in [(AuthCredential.publicKey(key), 0), (.publicKey(OfferingSigner(key: key)), 1)] {
            let server = ScriptedServer { payload, _ in
                switch ScriptedServer.method(of: payload) {
                case .some(.none): return [Self.failure(["publickey"], false)]
                case .publicKey(let fields) where fields.signature == nil:
                    return [UserAuthPKOKMessage(algorithm: fields.algorithm, publicKey: fields.publicKey)]
                case .publicKey: return [UserAuthSuccessMessage()]
                default: return [Self.failure(["publickey"], false)]
                }
            }
            let result = try await UserAuthClient(userName: "dana").authenticate(over: server, credentials: [credential])
            #expect(result.acceptedKeys == [key.publicKey])
            let publicKeyRequests = server.received.compactMap { payload -> Bool? in
                guard case .publicKey(let fields) = ScriptedServer.method(of: payload) else { return nil }
                return fields.signature != nil
            }
            #expect(publicKeyRequests == Array(repeating: false, count: queries) + [true])
        }
    }

    @Test func theFirstCredentialGoesAtOnceAndNoneComesLast() async throws {
        // A server that lets anyone in with `none` and knows no key.
        let server = ScriptedServer { payload, _ in
            if case .some(.none) = ScriptedServer.method(of: payload) { return [UserAuthSuccessMessage()] }
            return [Self.failure(["password"], false)]
        }
        let key = try SSHPrivateKey.generate(.ed25519)
        let result = try await UserAuthClient(userName: "erin").authenticate(over: server, credentials: [.publicKey(key)])
        #expect(result.method == "none")
        let methods = server.received.compactMap { ScriptedServer.method(of: $0) }
        guard methods.count == 2, case .publicKey = methods[0], case .none = methods[1] else {
            Issue.record("expected publickey, then none: \(methods)")
            return
        }
    }

    @Test func keyboardInteractiveRounds() async throws {
        let server = ScriptedServer { payload, index in
            if case .some(.none) = ScriptedServer.method(of: payload) { return [Self.failure(["keyboard-interactive"], false)] }
            if case .keyboardInteractive = ScriptedServer.method(of: payload) {
                return [
                    UserAuthInfoRequestMessage(
                        name: "", instruction: "", prompts: [.init(prompt: "Password: ", echo: false)])
                ]
            }
            let responses = (try? UserAuthInfoResponseMessage(decodingPayload: payload))?.responses
            if responses == ["pw"] {
                return [UserAuthInfoRequestMessage(name: "", instruction: "second round", prompts: [])]
            }
            return responses == [] ? [UserAuthSuccessMessage()] : [Self.failure(["keyboard-interactive"], false)]
        }
        let result = try await UserAuthClient(userName: "bob").authenticate(
            over: server,
            credentials: [
                .keyboardInteractive { challenge in
                    challenge.prompts.isEmpty ? [] : AuthCredential.keyboardInteractiveAnswers(challenge, "pw")
                }
            ])
        #expect(result.method == "keyboard-interactive")
    }

    @Test func exhaustedAndTimedOut() async throws {
        let refusing = ScriptedServer { _, _ in [Self.failure(["publickey", "password"], false)] }
        await #expect {
            _ = try await UserAuthClient(userName: "c").authenticate(over: refusing, credentials: [.password("x")])
        } throws: { ($0 as? AuthError)?.code == .exhausted && ($0 as? AuthError)?.allowedMethods == ["publickey", "password"] }

        let silent = ScriptedServer { _, _ in [] }
        var client = UserAuthClient(userName: "d")
        client.timeLimit = .milliseconds(50)
        await #expect {
            _ = try await client.authenticate(over: silent, credentials: [.password("x")])
        } throws: { ($0 as? AuthError)?.code == .timedOut }
    }
}
