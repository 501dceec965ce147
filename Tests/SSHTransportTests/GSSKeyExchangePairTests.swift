import NIOCore
import SSHCrypto
import SSHWire
import Testing

@testable import SSHTransport

/// Stand-in GSS-API contexts sharing a secret: the initiator needs two answers, so a key
/// exchange runs INIT, CONTINUE both ways and COMPLETE with a last token; a MIC is the SHA-256
/// of the secret and the message, so another secret's MIC does not verify.
final class FakeInitiator: GSSKeyExchangeContext, @unchecked Sendable {
    let secret: [UInt8]
    private var step = 0
    var isComplete: Bool { step == 3 }
    init(secret: String) { self.secret = Array(secret.utf8) }

    struct Failure: Error {}

    func initiate(_ input: [UInt8]?) throws -> [UInt8] {
        switch (step, input) {
        case (0, nil): step = 1; return Array("I1".utf8)
        case (1, Array("A1".utf8)): step = 2; return Array("I2".utf8)
        case (2, Array("A2".utf8)): step = 3; return []
        default: throw Failure()
        }
    }

    func mic(of message: [UInt8]) throws -> [UInt8] { try DigestAlgorithm.sha256.hash(secret + message) }

    func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws {
        guard try self.mic(of: message) == mic else { throw Failure() }
    }
}

final class FakeAcceptor: GSSKeyExchangeAcceptor, @unchecked Sendable {
    let secret: [UInt8]
    private var step = 0
    var isComplete: Bool { step == 2 }
    var peerName: String? { isComplete ? "tester@FAKE" : nil }
    init(secret: String) { self.secret = Array(secret.utf8) }

    func accept(_ input: [UInt8]) throws -> [UInt8] {
        switch (step, input) {
        case (0, Array("I1".utf8)): step = 1; return Array("A1".utf8)
        case (1, Array("I2".utf8)): step = 2; return Array("A2".utf8)
        default: throw FakeInitiator.Failure()
        }
    }

    func mic(of message: [UInt8]) throws -> [UInt8] { try DigestAlgorithm.sha256.hash(secret + message) }

    func verifyMIC(_ mic: [UInt8], of message: [UInt8]) throws {
        guard try self.mic(of: message) == mic else { throw FakeInitiator.Failure() }
    }
}

/// GSS-API key exchange (RFC 4462 §2.1, RFC 8732) between our two machines, sans I/O.
struct GSSKeyExchangePairTests {
    static func pair(_ base: String, serverSecret: String = "shared", chunk: Int? = nil) throws -> InMemoryPair {
        var algorithms = AlgorithmPreferences.supported
        algorithms.keyExchange = [try #require(KeyExchangeMethod.gss(base)).name]
        var client = InMemoryPair.clientConfiguration(algorithms)
        client.gssKeyExchange = GSSKeyExchange(makeContext: { FakeInitiator(secret: "shared") })
        var server = InMemoryPair.serverConfiguration(algorithms)
        server.gssKeyExchange = GSSKeyExchange(makeAcceptor: { FakeAcceptor(secret: serverSecret) })
        return InMemoryPair(client: client, server: server, chunk: chunk)
    }

    @Test(arguments: ["gss-curve25519-sha256-", "gss-nistp256-sha256-", "gss-group14-sha256-", "gss-group16-sha512-"])
    func theContextAuthenticatesTheExchange(_ base: String) throws {
        var pair = try Self.pair(base, chunk: 5)
        try pair.establish()
        #expect(pair.serviceAccepted)
        // No host key to judge: the context's MIC over H authenticated the server.
        #expect(!pair.clientEvents.contains { if case .verifyHostKey = $0 { true } else { false } })
        #expect(pair.client.sessionID == pair.server.sessionID)
        #expect(pair.client.gssContext?.isComplete == true)
        #expect(pair.server.gssAcceptor?.peerName == "tester@FAKE")
        // A rekey runs the exchange again with fresh contexts; the session identifier stays.
        let session = pair.client.sessionID
        var out = ByteBuffer()
        try pair.client.startRekey(now: pair.now, writingInto: &out)
        pair.toServer.writeBuffer(&out)
        try pair.pump()
        #expect(pair.completedExchanges(pair.clientEvents) == 2)
        #expect(pair.client.sessionID == session)
    }

    @Test func aMICByAnotherSecretFailsTheExchange() throws {
        var pair = try Self.pair("gss-curve25519-sha256-", serverSecret: "someone else")
        try pair.start()
        #expect(throws: TransportError.self) { try pair.pump() }
        #expect(pair.client.isClosed)
    }

    @Test func aServerWithoutHostKeysNegotiatesNull() throws {
        var pair = try Self.pair("gss-curve25519-sha256-")
        var server = InMemoryPair.serverConfiguration(pair.server.configuration.algorithms)
        server.hostKeys = []
        server.gssKeyExchange = GSSKeyExchange(makeAcceptor: { FakeAcceptor(secret: "shared") })
        pair = InMemoryPair(client: pair.client.configuration, server: server)
        try pair.establish()
        #expect(pair.serviceAccepted)
        #expect(pair.client.negotiated?.hostKey == "null")
        #expect(pair.client.serverHostKeyBlob == [])
        // Without GSS-API key exchange on the client there is nothing to agree on.
        var plain = InMemoryPair(client: InMemoryPair.clientConfiguration(), server: server)
        try plain.start()
        #expect(throws: TransportError.self) { try plain.pump() }
    }
}
