import Foundation
import NIOCore
import NIOPosix
import SSHAuth
import SSHCrypto
import SSHTestSupport
import SSHWire
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ``SSHAgentServer`` and ``SSHAgentClient`` on real Unix sockets: the socket file's life, and hostile
/// peers on either side.
@Suite("ssh-agent sockets and hostile peers", .timeLimit(.minutes(2)))
struct AgentSocketTests {
    static func workspace() throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("pa-\(UUID().uuidString.prefix(13))")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return directory
    }

    @Test func theSocketIsPrivateAndGoesAwayOnClose() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("agent.sock").path
        let server = try await SSHAgentServer.listen(path: path)
        var info = stat()
        #expect(lstat(path, &info) == 0)
        #expect(info.st_mode & 0o170000 == 0o140000, "a socket")
        #expect(info.st_mode & 0o777 == 0o600)
        let client = try SSHAgentClient(socketPath: path)
        #expect(try await client.identities().isEmpty)

        let taken = await #expect(throws: AgentError.self) { try await SSHAgentServer.listen(path: path) }
        #expect(taken?.code == .socket, "the path is taken")
        #expect(FileManager.default.fileExists(atPath: path), "a failed listen leaves the first socket alone")

        await server.close()
        #expect(!FileManager.default.fileExists(atPath: path))
        let gone = await #expect(throws: AgentError.self) { try await client.identities() }
        #expect(gone?.code == .socket)
    }

    @Test func closeEndsOpenConnections() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await SSHAgentServer.listen(path: directory.appendingPathComponent("a").path)
        let idle = try await RawConnection.open(server.path)
        try await idle.write([0, 0, 0, 9, 11])  // a frame left unfinished
        await server.close()
        // The agent hangs up: an end of file, or a reset when it had not read everything yet.
        #expect((try? await idle.readToEnd())?.isEmpty ?? true)
        #expect(!FileManager.default.fileExists(atPath: server.path))
        try? await idle.close()
    }

    @Test func listenRefusesUnsafeDirectoriesAndBadPaths() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let open = directory.appendingPathComponent("open")
        try FileManager.default.createDirectory(at: open, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: open.path)
        for path in [
            open.appendingPathComponent("agent.sock").path,
            directory.appendingPathComponent("missing/agent.sock").path,
            "/" + String(repeating: "x", count: 200),
            "",
        ] {
            let error = await #expect(throws: AgentError.self) { try await SSHAgentServer.listen(path: path) }
            #expect(error?.code == .invalidArgument || error?.code == .socket, "\(path)")
        }
        let world = await #expect(throws: AgentError.self) {
            try await SSHAgentServer.listen(path: open.appendingPathComponent("agent.sock").path)
        }
        #expect(world?.code == .invalidArgument)
        #expect(throws: AgentError(.noAgent, "no agent socket given and SSH_AUTH_SOCK is not set")) {
            try SSHAgentClient(socketPath: "")
        }
    }

    @Test func hostileClientsAreCutOffWithTypedErrors() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let errors = AsyncStream<AgentError>.makeStream()
        let server = try await SSHAgentServer.listen(
            path: directory.appendingPathComponent("agent.sock").path,
            onConnectionError: { errors.continuation.yield($0) })
        var reported = errors.stream.makeAsyncIterator()
        let key = try AgentKeyType.ed25519.generate(comment: "still here")
        await server.keyring.add(key)

        // A length over 256 KiB: closed unanswered.
        let huge = try await RawConnection.open(server.path)
        try await huge.write([0xff, 0xff, 0xff, 0xff, 11, 1, 2, 3])
        #expect(try await huge.readToEnd().isEmpty)
        #expect(await reported.next()?.code == .frameTooLarge)

        // Just over the limit, announced and then sent: closed before the body is buffered.
        let over = try await RawConnection.open(server.path)
        try await over.write([0, 4, 0, 1, 13])
        #expect(try await over.readToEnd().isEmpty)
        #expect(await reported.next()?.code == .frameTooLarge)

        // A sign request whose key string runs past the frame: FAILURE, then closed.
        let malformed = try await RawConnection.open(server.path)
        try await malformed.write([0, 0, 0, 5, 13, 0xff, 0xff, 0xff, 0xf0])
        #expect(try await malformed.readToEnd() == Array(AgentResponse.failure.frame().readableBytesView))
        #expect(await reported.next()?.code == .malformedMessage)

        // An unknown message: FAILURE, and the connection goes on.
        let unknown = try await RawConnection.open(server.path)
        try await unknown.write(
            [0, 0, 0, 2, 200, 0] + Array(try AgentRequest.requestIdentities.frame().readableBytesView))
        #expect(try await unknown.readResponse() == .failure)
        #expect(
            try await unknown.readResponse()
                == .identities([AgentIdentity(publicKey: key.publicKey, comment: "still here")]))
        try await unknown.close()

        // A client gone in the middle of a frame.
        let truncated = try await RawConnection.open(server.path)
        try await truncated.write([0, 0, 0, 40, 17, 0, 0])
        try await truncated.close()
        #expect(await reported.next()?.code == .connectionClosed)

        // Garbage from a seeded generator, on many connections: the agent answers or hangs up, never traps.
        var random = SeededRandom(seed: 0x5eed)
        for _ in 0..<30 {
            let garbage = try await RawConnection.open(server.path)
            let count = Int.random(in: 1...40, using: &random)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if count > 5 { bytes[0...3] = [0, 0, 0, UInt8(count - 4)] }
            try await garbage.write(bytes)
            try await garbage.close()
        }

        let client = try SSHAgentClient(socketPath: server.path)
        #expect(try await client.identities().map(\.publicKey) == [key.publicKey])
        await server.close()
    }

    /// An agent over any channel of bytes, not only a listener's: here a socketpair driven as a NIO pipe
    /// channel, as a forwarded agent channel will be.
    @Test func aKeyringServesAnyByteChannel() async throws {
        var descriptors: [Int32] = [-1, -1]
        #if canImport(Glibc)
            try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &descriptors) == 0)
        #else
            try #require(socketpair(AF_UNIX, SOCK_STREAM, 0, &descriptors) == 0)
        #endif
        func channel(_ descriptor: Int32) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
            try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .takingOwnershipOfDescriptor(inputOutput: descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        }
        let keyring = AgentKeyring()
        let key = try AgentKeyType.ecdsa256.generate(comment: "over a pipe")
        await keyring.add(key)
        let agentSide = try await channel(descriptors[0])
        let serving = Task { try await keyring.serve(agentSide) }
        let client = RawConnection(channel: try await channel(descriptors[1]))
        let data: [UInt8] = [1, 2, 3]
        try await client.write(
            Array(try AgentRequest.requestIdentities.frame().readableBytesView)
                + Array(try AgentRequest.sign(key: key.publicKey, data: data, flags: []).frame().readableBytesView))
        #expect(
            try await client.readResponse()
                == .identities([AgentIdentity(publicKey: key.publicKey, comment: "over a pipe")]))
        guard case .signature(let signature) = try await client.readResponse() else {
            Issue.record("no signature over the pipe")
            return
        }
        #expect(key.publicKey.isValidSignature(signature, for: data))
        try await client.close()
        try await serving.value
    }

    static let failingReplies: [([UInt8], AgentError.Code)] = [
        ([0xff, 0xff, 0xff, 0xff, 12], .frameTooLarge),
        ([], .connectionClosed),
        ([0, 0, 0, 10, 12, 0, 0], .connectionClosed),
        ([0, 0, 0, 0], .malformedMessage),
        ([0, 0, 0, 1, 99], .unknownMessage),
        ([0, 0, 0, 1, 13], .unknownMessage),
        ([0, 0, 0, 5, 12, 0x7f, 0xff, 0xff, 0xff], .malformedMessage),
        ([0, 0, 0, 6, 12, 0, 0, 0, 0, 0], .malformedMessage),
        ([0, 0, 0, 1, 6], .unexpectedResponse),
        ([0, 0, 0, 1, 5], .unexpectedResponse),
    ]

    @Test(arguments: failingReplies)
    func theClientTurnsHostileAgentsIntoTypedErrors(reply: [UInt8], code: AgentError.Code) async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let agent = try await FakeAgent.start(path: directory.appendingPathComponent("fake").path, reply: reply)
        let client = try SSHAgentClient(socketPath: agent.path)
        let error = await #expect(throws: AgentError.self) { try await client.identities() }
        #expect(error?.code == code)
        await agent.stop()
    }

    @Test func aSignatureByAnotherAlgorithmIsRefused() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = try AgentKeyType.rsa.generate(comment: "rsa")
        let sha1 = try key.signature(for: [1], algorithm: "ssh-rsa")
        let agent = try await FakeAgent.start(
            path: directory.appendingPathComponent("fake").path,
            reply: Array(AgentResponse.signature(sha1).frame().readableBytesView))
        let client = try SSHAgentClient(socketPath: agent.path)
        let error = await #expect(throws: AgentError.self) {
            try await client.sign(data: [1], key: key.publicKey, algorithm: "rsa-sha2-512")
        }
        #expect(error?.code == .unexpectedResponse)
        let misuse = await #expect(throws: AgentError.self) {
            try await client.sign(data: [1], key: key.publicKey, algorithm: "ssh-ed25519")
        }
        #expect(misuse?.code == .invalidArgument)
        await agent.stop()
    }

    @Test func randomRepliesNeverTrapTheClient() async throws {
        let directory = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SeededRandom(seed: 0xc1de)
        for round in 0..<20 {
            let count = Int.random(in: 0...32, using: &random)
            var reply = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            if count > 5 { reply[0...3] = [0, 0, 0, UInt8(count - 4)] }
            let agent = try await FakeAgent.start(
                path: directory.appendingPathComponent("f\(round)").path, reply: reply)
            let client = try SSHAgentClient(socketPath: agent.path)
            _ = try? await client.identities()
            await agent.stop()
        }
    }
}

/// One raw connection to an agent, for bytes no client would send; used by one task at a time.
final class RawConnection {
    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private var decoder = AgentFrameDecoder()

    init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        self.iterator = channel.inbound.makeAsyncIterator()
    }

    // A writer dropped unfinished traps in NIO's debug builds, however the connection ended.
    deinit { channel.outbound.finish() }

    static func open(_ path: String) async throws -> RawConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawConnection(channel: channel)
    }

    func write(_ bytes: [UInt8]) async throws {
        try await channel.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// The next whole answer, or nil when the agent hung up first.
    func readResponse() async throws -> AgentResponse? {
        while true {
            if let payload = try decoder.nextFrame() { return try AgentResponse(payload: payload) }
            guard let chunk = try await iterator.next() else { return nil }
            decoder.receive(chunk)
        }
    }

    /// Everything until the agent hangs up.
    func readToEnd() async throws -> [UInt8] {
        var bytes: [UInt8] = []
        while let chunk = try await iterator.next() { bytes += chunk.readableBytesView }
        return bytes
    }

    func close() async throws {
        channel.outbound.finish()
        try await channel.channel.close()
    }
}

/// An "agent" that reads one request on each connection, answers with fixed bytes and hangs up.
final class FakeAgent: Sendable {
    let path: String
    private let channel: any Channel
    private let task: Task<Void, Never>

    private init(path: String, channel: any Channel, task: Task<Void, Never>) {
        self.path = path
        self.channel = channel
        self.task = task
    }

    static func start(path: String, reply: [UInt8]) async throws -> FakeAgent {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let task = Task<Void, Never> {
            try? await server.executeThenClose { connections in
                for try await connection in connections {
                    try? await connection.executeThenClose { inbound, outbound in
                        var decoder = AgentFrameDecoder()
                        for try await chunk in inbound {
                            decoder.receive(chunk)
                            if try decoder.nextFrame() != nil { break }
                        }
                        if !reply.isEmpty { try await outbound.write(ByteBuffer(bytes: reply)) }
                    }
                }
            }
        }
        return FakeAgent(path: path, channel: server.channel, task: task)
    }

    func stop() async {
        task.cancel()
        try? await channel.close()
        await task.value
    }
}
