import NIOCore
import SSHAuth
import SSHCrypto
import SSHTestSupport
import SSHWire
import Testing

/// The agent without sockets: an ``AgentKeyring`` serving bytes from memory, whole and in chunks.
@Suite("ssh-agent keyring and session in memory")
struct AgentKeyringTests {
    /// Serves `bytes` to `keyring` in chunks of `chunk` and returns the answers and the error that ended
    /// the conversation, if any.
    static func converse(
        _ keyring: AgentKeyring, _ bytes: [UInt8], chunk: Int = .max
    ) async -> (responses: [AgentResponse], error: AgentError?) {
        let chunks = stride(from: 0, to: bytes.count, by: max(chunk, 1)).map {
            ByteBuffer(bytes: bytes[$0..<min($0 + chunk, bytes.count)])
        }
        let inbound = AsyncStream<ByteBuffer> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        var written = ByteBuffer()
        var failure: AgentError?
        do {
            try await keyring.serve(inbound: inbound) { written.writeImmutableBuffer($0) }
        } catch {
            failure = error
        }
        var decoder = AgentFrameDecoder()
        decoder.receive(written)
        var responses: [AgentResponse] = []
        while let payload = try? decoder.nextFrame(), let response = try? AgentResponse(payload: payload) {
            responses.append(response)
        }
        return (responses, failure)
    }

    static func frames(_ requests: [AgentRequest]) throws -> [UInt8] {
        try requests.flatMap { Array(try $0.frame().readableBytesView) }
    }

    @Test(arguments: [1, 5, Int.max])
    func addListSignRemoveInChunks(chunk: Int) async throws {
        let keyring = AgentKeyring()
        let ed25519 = try AgentKeyType.ed25519.generate(comment: "ed")
        let rsa = try AgentKeyType.rsa.generate(comment: "rsa")
        let data = Array("to be signed".utf8)
        let (responses, error) = await Self.converse(
            keyring,
            try Self.frames([
                .addIdentity(key: ed25519, comment: "ed", constraints: []),
                .addIdentity(key: rsa, comment: "rsa", constraints: []),
                .requestIdentities,
                .sign(key: rsa.publicKey, data: data, flags: .rsaSHA256),
                .sign(key: ed25519.publicKey, data: data, flags: []),
                .removeIdentity(key: ed25519.publicKey),
                .removeIdentity(key: ed25519.publicKey),
                .requestIdentities,
            ]), chunk: chunk)
        #expect(error == nil)
        try #require(responses.count == 8)
        #expect(responses[0] == .success && responses[1] == .success)
        #expect(
            responses[2]
                == .identities([
                    AgentIdentity(publicKey: ed25519.publicKey, comment: "ed"),
                    AgentIdentity(publicKey: rsa.publicKey, comment: "rsa"),
                ]))
        guard case .signature(let rsaSignature) = responses[3], case .signature(let edSignature) = responses[4] else {
            Issue.record("no signatures: \(responses)")
            return
        }
        #expect(rsa.publicKey.isValidSignature(rsaSignature, for: data, algorithm: "rsa-sha2-256"))
        #expect(ed25519.publicKey.isValidSignature(edSignature, for: data, algorithm: "ssh-ed25519"))
        #expect(responses[5] == .success && responses[6] == .failure)
        #expect(responses[7] == .identities([AgentIdentity(publicKey: rsa.publicKey, comment: "rsa")]))
    }

    @Test func addingAKeyAgainReplacesItsCommentAndConstraints() async throws {
        let clock = ManualClock()
        let keyring = AgentKeyring(now: { clock.now })
        let key = try AgentKeyType.ecdsa256.generate(comment: "first")
        await keyring.add(key, lifetime: .seconds(5))
        await keyring.add(key, comment: "second")
        clock.advance(by: .seconds(10))
        #expect(await keyring.identities == [AgentIdentity(publicKey: key.publicKey, comment: "second")])
    }

    @Test func lifetimesEndOnTheKeyringsClock() async throws {
        let clock = ManualClock()
        let keyring = AgentKeyring(now: { clock.now })
        let short = try AgentKeyType.ed25519.generate(comment: "short")
        let long = try AgentKeyType.ed25519.generate(comment: "long")
        let forever = try AgentKeyType.ed25519.generate(comment: "forever")
        #expect(
            await keyring.respond(to: .addIdentity(key: short, comment: "short", constraints: [.lifetime(seconds: 60)]))
                == .success)
        #expect(
            await keyring.respond(to: .addIdentity(key: long, comment: "long", constraints: [.lifetime(seconds: 3600)]))
                == .success)
        await keyring.add(forever)
        #expect(await keyring.identities.count == 3)
        clock.advance(by: .seconds(59))
        #expect(await keyring.identities.count == 3)
        clock.advance(by: .seconds(1))
        #expect(await keyring.identities.map(\.comment) == ["long", "forever"])
        #expect(await keyring.respond(to: .sign(key: short.publicKey, data: [1], flags: [])) == .failure)
        clock.advance(by: .seconds(3600))
        #expect(
            await keyring.respond(to: .requestIdentities)
                == .identities([AgentIdentity(publicKey: forever.publicKey, comment: "forever")]))
    }

    @Test func confirmationIsDeniedByDefault() async throws {
        let keyring = AgentKeyring()
        let key = try AgentKeyType.ed25519.generate(comment: "careful")
        await keyring.add(key, confirm: true)
        #expect(await keyring.respond(to: .sign(key: key.publicKey, data: [1, 2], flags: [])) == .failure)
    }

    @Test func confirmationAsksTheCallback() async throws {
        let asked = AsyncStream<AgentConfirmationRequest>.makeStream()
        let keyring = AgentKeyring(confirm: { request in
            asked.continuation.yield(request)
            return request.comment == "allowed"
        })
        let allowed = try AgentKeyType.ecdsa384.generate(comment: "allowed")
        let denied = try AgentKeyType.ecdsa384.generate(comment: "denied")
        let plain = try AgentKeyType.ecdsa384.generate(comment: "plain")
        for key in [allowed, denied] {
            #expect(
                await keyring.respond(to: .addIdentity(key: key, comment: key.comment, constraints: [.confirm]))
                    == .success)
        }
        await keyring.add(plain)
        guard
            case .signature(let signature) = await keyring.respond(
                to: .sign(key: allowed.publicKey, data: [3], flags: []))
        else {
            Issue.record("the allowed key did not sign")
            return
        }
        #expect(allowed.publicKey.isValidSignature(signature, for: [3]))
        #expect(await keyring.respond(to: .sign(key: denied.publicKey, data: [3, 4], flags: [])) == .failure)
        guard case .signature = await keyring.respond(to: .sign(key: plain.publicKey, data: [3], flags: [])) else {
            Issue.record("a key without the constraint was not signed with")
            return
        }
        asked.continuation.finish()
        var requests: [AgentConfirmationRequest] = []
        for await request in asked.stream { requests.append(request) }
        #expect(
            requests == [
                AgentConfirmationRequest(publicKey: allowed.publicKey, comment: "allowed", dataLength: 1),
                AgentConfirmationRequest(publicKey: denied.publicKey, comment: "denied", dataLength: 2),
            ])
    }

    @Test func lockedKeyringListsNothingAndRefusesAllButUnlock() async throws {
        let keyring = AgentKeyring(unlockFailureDelay: .zero)
        let key = try AgentKeyType.ed25519.generate(comment: "k")
        let other = try AgentKeyType.ed25519.generate(comment: "o")
        await keyring.add(key)
        #expect(await keyring.respond(to: .unlock(passphrase: SecureBytes("x".utf8))) == .failure)
        #expect(await keyring.respond(to: .lock(passphrase: SecureBytes("secret".utf8))) == .success)
        #expect(await keyring.isLocked)
        #expect(await keyring.respond(to: .requestIdentities) == .identities([]))
        for request: AgentRequest in [
            .sign(key: key.publicKey, data: [1], flags: []),
            .addIdentity(key: other, comment: "o", constraints: []),
            .removeIdentity(key: key.publicKey),
            .removeAllIdentities,
            .lock(passphrase: SecureBytes("secret".utf8)),
            .unlock(passphrase: SecureBytes("Secret".utf8)),
            .unlock(passphrase: SecureBytes("secret!".utf8)),
            .extension(name: "query", contents: []),
        ] {
            #expect(await keyring.respond(to: request) == .failure, "\(request.messageNumber)")
        }
        #expect(await keyring.identities.count == 1, "the owner still sees the key")
        #expect(await keyring.respond(to: .unlock(passphrase: SecureBytes("secret".utf8))) == .success)
        #expect(
            await keyring.respond(to: .requestIdentities)
                == .identities([AgentIdentity(publicKey: key.publicKey, comment: "k")]))
    }

    @Test func unknownRequestsAreRefusedAndTheConversationGoesOn() async throws {
        var bytes: [UInt8] = [0, 0, 0, 3, 200, 1, 2]  // an unknown message number
        var unknownKey = ByteBuffer()
        unknownKey.writeAgentFrameForTest { payload in
            payload.writeSSHByte(18)
            payload.writeSSHString { $0.writeSSHString("ssh-unknown@example.com") }
        }
        bytes += Array(unknownKey.readableBytesView)
        bytes += try Self.frames([.requestIdentities])
        let (responses, error) = await Self.converse(AgentKeyring(), bytes, chunk: 2)
        #expect(error == nil)
        #expect(responses == [.failure, .failure, .identities([])])
    }

    @Test(arguments: [
        ([0, 0, 0, 4, 13, 0xff, 0xff, 0xff] as [UInt8], AgentError.Code.malformedMessage, [AgentResponse.failure]),
        ([0, 0, 0, 2, 11, 0], .malformedMessage, [.failure]),
        ([0, 0, 0, 0], .frameTooLarge, []),
        ([0, 4, 0, 1, 11], .frameTooLarge, []),
        ([0xff, 0xff, 0xff, 0xff, 11], .frameTooLarge, []),
        ([0, 0, 0, 9, 11, 1, 2], .connectionClosed, []),
    ])
    func hostileFramesEndTheConversation(bytes: [UInt8], code: AgentError.Code, replies: [AgentResponse]) async throws {
        // Whatever follows the bad frame is never answered.
        let tail = try Self.frames([.requestIdentities])
        let input = code == .connectionClosed ? bytes : bytes + tail
        for chunk in [1, 3, Int.max] {
            let (responses, error) = await Self.converse(AgentKeyring(), input, chunk: chunk)
            #expect(responses == replies)
            if code == .frameTooLarge && bytes.count == 4 {
                #expect(error?.code == .malformedMessage, "an empty frame")
            } else {
                #expect(error?.code == code)
            }
        }
    }

    @Test func randomGarbageNeverTraps() async throws {
        var random = SeededRandom(seed: 0xa9e7)
        for _ in 0..<200 {
            let count = Int.random(in: 0..<64, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            // Small lengths reach the message decoders; random ones mostly exceed the limit.
            if count >= 4, Bool.random(using: &random) {
                bytes[0] = 0
                bytes[1] = 0
                bytes[2] = 0
                bytes[3] = UInt8(count - 4)
            }
            _ = await Self.converse(AgentKeyring(), bytes, chunk: Int.random(in: 1...8, using: &random))
        }
    }

    @Test func sessionStopsAfterClosing() throws {
        var session = AgentSession()
        session.receive(ByteBuffer(bytes: [0xff, 0xff, 0xff, 0xff]))
        guard case .close(let error, let reply) = session.nextEvent() else {
            Issue.record("an oversized frame did not close the session")
            return
        }
        #expect(error.code == .frameTooLarge && reply == nil)
        #expect(session.isClosed)
        session.receive(try AgentRequest.requestIdentities.frame())
        #expect(session.nextEvent() == nil)
        #expect(session.endOfInput() == nil)
    }
}

extension ByteBuffer {
    /// A frame written by hand, for bytes the encoders would never produce.
    mutating func writeAgentFrameForTest(_ body: (inout ByteBuffer) -> Void) {
        writeSSHString { payload in body(&payload) }
    }
}
