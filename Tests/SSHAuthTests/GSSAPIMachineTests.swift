import NIOCore
import SSHAuth
import SSHCrypto
import SSHTransport
import SSHWire
import Testing

/// A key exchange's acceptor whose MIC is the SHA-256 of a secret and the message.
final class SecretAcceptor: GSSKeyExchangeAcceptor, @unchecked Sendable {
    struct Failure: Error {}
    let secret: [UInt8]
    init(_ secret: String) { self.secret = Array(secret.utf8) }
    func accept(_ input: [UInt8]) throws -> [UInt8] { [] }
    var isComplete: Bool { true }
    var peerName: String? { "alice@EXAMPLE.TEST" }
    func mic(of message: [UInt8]) throws -> [UInt8] { try DigestAlgorithm.sha256.hash(secret + message) }
    func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws {
        guard try self.mic(of: message) == mic else { throw Failure() }
    }
}

/// `gssapi-with-mic` (RFC 4462 §3) in the two sans-IO machines: what goes on the wire, what the
/// server's answers decode to, and the messages each side refuses out of turn. Real contexts
/// with a KDC are in the interop tests.
@Suite struct GSSAPIMachineTests {
    static let session: [UInt8] = Array(repeating: 7, count: 32)

    static func messageNumber(_ payload: ByteBuffer) -> UInt8? {
        payload.getInteger(at: payload.readerIndex, as: UInt8.self)
    }

    @Test func theClientOffersKerberosAndDecodesTheServersAnswers() throws {
        var client = ClientAuthMachine(userName: "alice", sessionID: Self.session)
        // Out of turn: no token, MIC or EXCHANGE_COMPLETE before the request.
        #expect(throws: AuthError.self) { _ = try client.gssapiToken([1]) }
        #expect(throws: AuthError.self) { _ = try client.gssapiMIC([1]) }

        let request = client.gssapiRequest(mechanisms: [GSSMechanism.kerberos5])
        let decoded = try UserAuthMessage(decodingPayload: request, context: .none)
        guard case .request(let message) = decoded, case .gssapiWithMIC(let mechanisms) = message.method else {
            Issue.record("not a gssapi-with-mic request: \(decoded)")
            return
        }
        #expect(message.userName == "alice" && message.serviceName == "ssh-connection")
        #expect(mechanisms.map { Array($0.readableBytesView) } == [GSSMechanism.kerberos5])
        // The OID is 1.2.840.113554.1.2.2, DER-encoded.
        #expect(GSSMechanism.kerberos5 == [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x12, 0x01, 0x02, 0x02])

        let response = UserAuthGSSAPIResponseMessage(value: ByteBuffer(bytes: GSSMechanism.kerberos5)).encodedPayload()
        #expect(try client.receive(response) == .gssapiMechanism(GSSMechanism.kerberos5))
        #expect(Self.messageNumber(try client.gssapiToken([1, 2, 3])) == 61)
        let token = UserAuthGSSAPITokenMessage(value: ByteBuffer(bytes: [9, 8])).encodedPayload()
        #expect(try client.receive(token) == .gssapiToken([9, 8]))
        let error = UserAuthGSSAPIErrorMessage(majorStatus: 0xD0000, minorStatus: 5, message: "no key").encodedPayload()
        #expect(try client.receive(error) == .gssapiError(majorStatus: 0xD0000, minorStatus: 5, message: "no key"))
        #expect(Self.messageNumber(try client.gssapiMIC([4])) == 66)
        #expect(Self.messageNumber(try client.gssapiExchangeComplete()) == 63)
        let failure = UserAuthFailureMessage(authentications: ["publickey"], partialSuccess: false).encodedPayload()
        #expect(try client.receive(failure) == .failure(methods: ["publickey"], partialSuccess: false))
        // The method is over: a token now is out of turn.
        #expect(throws: AuthError.self) { _ = try client.receive(token) }
    }

    @Test func theMICCoversSessionUserServiceAndMethod() {
        let client = ClientAuthMachine(userName: "bob", serviceName: "ssh-connection", sessionID: [1, 2, 3])
        var expected: [UInt8] = [0, 0, 0, 3, 1, 2, 3, 50]
        for field in ["bob", "ssh-connection", "gssapi-with-mic"] {
            expected += [0, 0, 0, UInt8(field.utf8.count)] + Array(field.utf8)
        }
        #expect(client.gssapiMICData == expected)
    }

    @Test func theServerRefusesOtherMechanismsAndMessagesOutOfTurn() throws {
        var configuration = ServerAuthConfiguration()
        configuration.methods = ["gssapi-with-mic"]
        var server = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
        var client = ClientAuthMachine(userName: "alice", sessionID: Self.session)

        // A mechanism other than Kerberos V5 fails the request.
        let spnego: [UInt8] = [0x06, 0x06, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x02]
        guard case .reply(let payloads) = try server.receive(client.gssapiRequest(mechanisms: [spnego]), now: 0) else {
            Issue.record("expected a reply")
            return
        }
        #expect(payloads.map(Self.messageNumber) == [UserAuthFailureMessage.messageNumber])

        // A MIC with no context is a protocol error.
        let mic = UserAuthGSSAPIMICMessage(value: ByteBuffer(bytes: [1])).encodedPayload()
        #expect(throws: AuthError.self) { _ = try server.receive(mic, now: 0) }
    }

    /// A server offering only `gssapi-with-mic`, and its answer to a request offering Kerberos V5.
    static func kerberosRequest(maximumAttempts: Int = 6) throws -> (ServerAuthMachine, [ByteBuffer]) {
        var configuration = ServerAuthConfiguration()
        configuration.methods = ["gssapi-with-mic"]
        configuration.maximumAttempts = maximumAttempts
        var server = ServerAuthMachine(sessionID: session, configuration: configuration)
        var client = ClientAuthMachine(userName: "alice", sessionID: session)
        guard case .reply(let first) = try server.receive(client.gssapiRequest(mechanisms: [GSSMechanism.kerberos5]), now: 0)
        else { throw AuthError(.protocolError, "expected a reply") }
        return (server, first)
    }

    @Test func aGarbageTokenGetsAnErrorAndAFailure() throws {
        var (server, first) = try Self.kerberosRequest()
        // Without a keytab the acceptor may fail at once or at the first token; either way it
        // ends in USERAUTH_FAILURE, never in a crash or a success.
        if first.map(Self.messageNumber) == [UserAuthFailureMessage.messageNumber] { return }
        #expect(first.map(Self.messageNumber) == [UserAuthGSSAPIResponseMessage.messageNumber])
        let token = UserAuthGSSAPITokenMessage(value: ByteBuffer(bytes: Array("not a Kerberos token".utf8))).encodedPayload()
        guard case .reply(let answer) = try server.receive(token, now: 0) else {
            Issue.record("expected a reply")
            return
        }
        #expect(answer.map(Self.messageNumber) == [UserAuthGSSAPIErrorMessage.messageNumber, UserAuthFailureMessage.messageNumber])
        // The context is gone: a MIC now is out of turn.
        let mic = UserAuthGSSAPIMICMessage(value: ByteBuffer(bytes: [1])).encodedPayload()
        #expect(throws: AuthError.self) { _ = try server.receive(mic, now: 0) }
    }

    @Test func gssapiKeyexIsCheckedWithTheKeyExchangesContext() throws {
        var configuration = ServerAuthConfiguration()
        configuration.methods = ["gssapi-keyex"]
        let acceptor = SecretAcceptor("kex")
        var client = ClientAuthMachine(userName: "alice", sessionID: Self.session)
        let good = client.gssapiKeyExchangeRequest(mic: try acceptor.mic(of: client.gssapiKeyExchangeMICData))
        // The MIC over gssapi-with-mic's data, or by another context, or with no GSS key exchange: refused.
        let wrongData = client.gssapiKeyExchangeRequest(mic: try acceptor.mic(of: client.gssapiMICData))
        let otherContext = client.gssapiKeyExchangeRequest(mic: try SecretAcceptor("other").mic(of: client.gssapiKeyExchangeMICData))
        for request in [wrongData, otherContext] {
            var server = ServerAuthMachine(sessionID: Self.session, configuration: configuration, gssAcceptor: acceptor)
            guard case .reply(let payloads) = try server.receive(request, now: 0) else {
                Issue.record("expected a failure")
                continue
            }
            #expect(payloads.map(Self.messageNumber) == [UserAuthFailureMessage.messageNumber])
        }
        var without = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
        guard case .reply = try without.receive(good, now: 0) else {
            Issue.record("gssapi-keyex without a GSS key exchange reached the delegate")
            return
        }
        var server = ServerAuthMachine(sessionID: Self.session, configuration: configuration, gssAcceptor: acceptor)
        guard case .decide(.gssapiKeyExchange(let user, let principal)) = try server.receive(good, now: 0) else {
            Issue.record("a good gssapi-keyex MIC did not reach the delegate")
            return
        }
        #expect(user == "alice" && principal == "alice@EXAMPLE.TEST")
        guard case .authenticated(_, let identity) = try server.answer(.success) else {
            Issue.record("expected success")
            return
        }
        #expect(identity.methods == ["gssapi-keyex"])
    }

    @Test func abandonedGSSAPIExchangesCountAsFailures() throws {
        // The first request starts a context (the mechanism is answered, no failure yet).
        var (server, first) = try Self.kerberosRequest(maximumAttempts: 3)
        var client = ClientAuthMachine(userName: "alice", sessionID: Self.session)
        #expect(first.map(Self.messageNumber) == [UserAuthGSSAPIResponseMessage.messageNumber])
        // Each new request abandons the context the last one started; the third failure is the limit.
        var outcome: Result<ServerAuthMachine.Step, AuthError> = .success(.reply([]))
        for _ in 0..<3 {
            outcome = Result { () throws(AuthError) in
                try server.receive(client.gssapiRequest(mechanisms: [GSSMechanism.kerberos5]), now: 0)
            }
            if case .failure = outcome { break }
        }
        guard case .failure(let error) = outcome else {
            Issue.record("endless abandoned GSS-API exchanges were allowed")
            return
        }
        #expect(error.code == .exhausted)
    }
}
