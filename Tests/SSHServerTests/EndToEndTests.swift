import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SFTP
import SSHAuth
import SSHClient
import SSHConnection
import SSHCrypto
import SSHServer
import SSHTestSupport
import SSHTransport
import SSHWire
import Testing

/// Our client against our server in one process: exec through a custom session handler and
/// through a process, SFTP as a registered subsystem, local and remote forwarding, the session
/// limit and no-more-sessions.
@Suite(.serialized)
struct EndToEndTests {
    /// Bytes the `flood` command has handed to its channel so far.
    static let flooded = NIOLockedValueBox(0)

    /// What the server's handlers did, in order: "slow started", "slow answered", "shout".
    static let serverEvents = NIOLockedValueBox<[String]>([])

    struct CustomDelegate: SSHServerDelegate {
        let key: SSHPublicKey

        func globalRequest(_ request: GlobalRequestType, connection: SSHServerConnectionInfo) async -> Bool {
            guard case .unknown(name: "slow@example.com", _) = request else { return false }
            EndToEndTests.serverEvents.withLockedValue { $0.append("slow started") }
            try? await Task.sleep(for: .milliseconds(200))
            EndToEndTests.serverEvents.withLockedValue { $0.append("slow answered") }
            return true
        }

        func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
            guard case .publicKey(_, let offered, _, let signed, _) = request, offered == key else { return .failure }
            return signed ? .success : .publicKeyAcceptable
        }

        func exec(_ command: String, session: SessionContext) async -> SessionAction {
            if command == "denied" { return .deny }
            if command == "flood" {
                return .handle { channel, _ in
                    let chunk = ByteBuffer(repeating: 0x7A, count: 64 * 1024)
                    for _ in 0..<1024 {
                        guard (try? await channel.write(chunk)) != nil else { return 1 }
                        EndToEndTests.flooded.withLockedValue { $0 += chunk.readableBytes }
                    }
                    return 0
                }
            }
            if command.hasPrefix("shout ") {
                EndToEndTests.serverEvents.withLockedValue { $0.append("shout") }
                return .handle { channel, context in
                    var reply = ByteBuffer(string: command.dropFirst(6).uppercased() + " for " + context.connection.identity.user)
                    try? await channel.write(reply)
                    // Handlers run on the connection's event loop (SSHServerDelegate).
                    let onLoop = channel.connection.eventLoop.inEventLoop
                    reply = ByteBuffer(string: onLoop ? "to stderr" : "off the connection's loop")
                    try? await channel.writeStderr(reply)
                    return 9
                }
            }
            return .runProcess(LocalProcessOptions())
        }

        func allowsDirectTCPIP(host: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { true }
        func allowsRemoteForward(address: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { true }
        func allowsDirectStreamLocal(path: String, connection: SSHServerConnectionInfo) async -> Bool { true }
        func allowsStreamLocalForward(path: String, connection: SSHServerConnectionInfo) async -> Bool { true }
    }

    static func withPair(
        configuration: SSHServerConfiguration = SSHServerConfiguration(), _ body: (SSHClient, SSHServer) async throws -> Void
    ) async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let server = try await SSHServer.listen(
            host: "127.0.0.1", port: 0, hostKeys: [try SSHPrivateKey.generate(.ecdsaP256)],
            delegate: CustomDelegate(key: key.publicKey), configuration: configuration)
        var strategy = AuthStrategy()
        strategy.keys = [key]
        strategy.lookForKeys = false
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: server.port, username: "alice", authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely)
        do {
            try await body(client, server)
        } catch {
            await client.close()
            await server.shutdown(gracePeriod: .seconds(1))
            throw error
        }
        await client.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }

    /// Over a round trip the kernel measures as about 10 ms (a packet reflector), both ends see
    /// it, so their channels get the long window and no send-ahead limit, and bulk data still
    /// arrives whole both ways through processes.
    @Test(.enabled(if: PacketReflector.available, "needs root, /dev/net/tun, ip(8) and python3"), .timeLimit(.minutes(2)))
    func aLongRoundTripCarriesBulkBothWays() async throws {
        let reflector = try await PacketReflector.start(delayMilliseconds: 5)
        defer { reflector.stop() }
        let key = try SSHPrivateKey.generate(.ed25519)
        let server = try await SSHServer.listen(
            host: reflector.nearAddress, port: 0, hostKeys: [try SSHPrivateKey.generate(.ed25519)],
            delegate: CustomDelegate(key: key.publicKey))
        var strategy = AuthStrategy()
        strategy.keys = [key]
        strategy.lookForKeys = false
        let client = try await SSHClient.connect(
            host: reflector.farAddress, port: server.port, username: "alice", authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely)
        let roundTrip = try #require(await client.runtime.transportConnection.minimumRoundTrip())
        #expect(roundTrip >= .milliseconds(9) && roundTrip >= ChannelMultiplexer.Configuration().shortRoundTrip)
        let size = 24 * 1024 * 1024
        let down = try await client.run("head -c \(size) /dev/zero")
        #expect(down.stdout.count == size && down.exitStatus == 0)
        let up = try await client.run("wc -c", input: [UInt8](repeating: 0x61, count: size))
        #expect(up.output.trimmingCharacters(in: .whitespacesAndNewlines) == "\(size)")
        await client.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func customHandlerAndProcess() async throws {
        try await Self.withPair { client, _ in
            let shouted = try await client.run("shout hello")
            #expect(shouted.output == "HELLO for alice")
            #expect(shouted.errorOutput == "to stderr")
            #expect(shouted.exitStatus == 9)
            await #expect(throws: SSHClientError.self) { _ = try await client.run("denied") }
            let process = try await client.run("printf %s \"$USER\"; exit 2")
            #expect(process.output == "alice")
            #expect(process.exitStatus == 2)
            #expect(client.hostKey?.openSSHLine.hasPrefix("ecdsa-sha2-nistp256") == true)
        }
    }

    @Test func signalReachesTheProcessAndExitSignalComesBack() async throws {
        try await Self.withPair { client, _ in
            let channel = try await client.exec("exec sleep 30")
            try await Task.sleep(for: .milliseconds(200))
            _ = try await channel.request(.signal(name: "TERM"), wantReply: false)
            var signal: String?
            for try await output in channel.output {
                if case .exitSignal(let exit) = output { signal = exit.signalName }
            }
            #expect(signal == "TERM")
        }
    }

    @Test func aSlowReaderHoldsOnlyItsOwnChannelBack() async throws {
        Self.flooded.withLockedValue { $0 = 0 }
        try await Self.withPair { client, _ in
            let slow = try await client.exec("flood")
            try await Task.sleep(for: .milliseconds(500))
            // Unread, the channel's window stops the writer at about one window of data.
            let held = Self.flooded.withLockedValue { $0 }
            #expect(held <= 2 * 1024 * 1024 + 64 * 1024, "\(held) bytes went out unread")
            // Another channel on the same connection is not held back.
            #expect(try await client.run("shout still-here").output == "STILL-HERE for alice")
            var total = 0
            for try await output in slow.output {
                if case .stdout(let data) = output { total += data.readableBytes }
            }
            #expect(total == 64 * 1024 * 1024)
        }
    }

    /// What a consumer took (``ConnectionRuntime/consumeOutput(of:_:)``).
    struct Taken: Sendable {
        var bytes = 0
        var exitStatus: UInt32?
        var batches = 0
    }

    /// Consumes `channel`'s output on its connection until `limit` bytes of stdout came.
    static func consume(_ channel: SSHChannel, upTo limit: Int, on connection: isolated ConnectionRuntime) async throws -> Taken {
        final class Box { var taken = Taken() }
        let box = Box()
        try await connection.consumeOutput(of: channel) { batch in
            var taken = box.taken
            defer { box.taken = taken }
            taken.batches += 1
            for output in batch {
                switch output {
                case .stdout(let data): taken.bytes += data.readableBytes
                case .exitStatus(let status): taken.exitStatus = status
                default: break
                }
            }
            return taken.bytes < limit
        }
        return box.taken
    }

    /// A consumer takes 64 MiB, 32 windows' worth: the window reopens as it takes data, and the
    /// exit status comes with the output.
    @Test(.timeLimit(.minutes(1))) func aConsumerTakesEverythingAndTheWindowReopens() async throws {
        try await Self.withPair { client, _ in
            let channel = try await client.exec("flood")
            let taken = try await Self.consume(channel, upTo: .max, on: channel.connection)
            #expect(taken.bytes == 64 * 1024 * 1024)
            #expect(taken.exitStatus == 0)
            #expect(taken.batches > 1)
        }
    }

    /// A consumer that stops hands the rest back to the channel's output, nothing lost or doubled.
    @Test(.timeLimit(.minutes(1))) func aConsumerThatStopsLeavesTheRestToTheOutput() async throws {
        try await Self.withPair { client, _ in
            let channel = try await client.exec("flood")
            let taken = try await Self.consume(channel, upTo: 8 * 1024 * 1024, on: channel.connection)
            #expect(taken.bytes >= 8 * 1024 * 1024)
            var rest = 0
            for try await output in channel.output {
                if case .stdout(let data) = output { rest += data.readableBytes }
            }
            #expect(taken.bytes + rest == 64 * 1024 * 1024)
        }
    }

    @Test func readerWithTimeoutsLinesAndExit() async throws {
        try await Self.withPair { client, _ in
            let channel = try await client.exec("echo first; echo oops >&2; sleep 1; printf 'second\\r\\nthird'; exit 5")
            let reader = SSHChannelReader(channel)
            #expect(try await reader.readLine(timeout: .seconds(5)) == "first")
            #expect(String(buffer: try await reader.readStderr(timeout: .seconds(5))) == "oops\n")
            // Nothing more for a second: a short timeout says so.
            await #expect(throws: SSHClientError.self) { _ = try await reader.readLine(timeout: .milliseconds(200)) }
            #expect(try await reader.readLine(timeout: .seconds(5)) == "second")
            #expect(try await reader.readLine(timeout: .seconds(5)) == "third")
            #expect(try await reader.readLine() == nil)
            guard case .exitStatus(let status) = try await reader.exitStatus(timeout: .seconds(5)) else {
                Issue.record("no exit status")
                return
            }
            #expect(status == 5)
        }
    }

    @Test func cancellingARunClosesOnlyItsChannel() async throws {
        try await Self.withPair { client, _ in
            let other = try await client.exec("sleep 2; echo other")
            let running = Task { try await client.run("sleep 30") }
            try await Task.sleep(for: .milliseconds(300))
            #expect(await client.runtime.openChannelCount == 2)
            running.cancel()
            _ = try? await running.value
            for _ in 0..<50 where await client.runtime.openChannelCount > 1 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(await client.runtime.openChannelCount == 1)
            var text = ""
            for try await output in other.output {
                if case .stdout(let data) = output { text += String(buffer: data) }
            }
            #expect(text == "other\n")
        }
    }

    @Test func unixSocketForwardingBothWays() async throws {
        let directory = try Peers.temporaryDirectory("paramiko-unix")
        defer { try? FileManager.default.removeItem(at: directory) }
        let echo = try await EchoServer.start(unixPath: directory.appendingPathComponent("echo.sock").path)
        defer { echo.stop() }
        try await Self.withPair { client, _ in
            // direct-streamlocal: a local TCP port to the server's Unix socket.
            let local = try await client.forwardLocal(
                listen: .tcp(host: "127.0.0.1", port: 0), toSocket: directory.appendingPathComponent("echo.sock").path)
            #expect(try await EchoServer.exchange(port: local.localAddress?.port ?? 0, "to a socket") == "to a socket")
            // streamlocal-forward: a socket the server listens on, carried to our echo server.
            let remotePath = directory.appendingPathComponent("remote.sock").path
            try await client.forwardRemote(socketPath: remotePath, to: .unix(path: directory.appendingPathComponent("echo.sock").path))
            let socket = try #require(await ForwardingListener.Address.unix(path: remotePath).connect())
            let echoed = try await socket.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(string: "from the server side"))
                try await socket.channel.close(mode: .output)
                var received = ""
                for try await chunk in inbound { received += String(buffer: chunk) }
                return received
            }
            #expect(echoed == "from the server side")
        }
    }

    /// A server whose `sftp` subsystem answers INIT with a frame longer than any SFTP allows: the
    /// client's reader, taking the channel's data as it arrives, stops with a typed error.
    @Test(.timeLimit(.minutes(1))) func aMalformedSFTPFrameFailsTheClient() async throws {
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = { channel, _ in
            var frame = ByteBuffer()
            frame.writeInteger(UInt32.max)
            frame.writeRepeatingByte(2, count: 64)
            try? await channel.write(frame)
            do {
                for try await _ in channel.output {}
            } catch {}
            return 0
        }
        try await Self.withPair(configuration: configuration) { client, _ in
            let error = await #expect(throws: SFTPError.self) { _ = try await client.openSFTP() }
            #expect(error?.code == .badMessage)
            // The connection is still good.
            let after = try await client.run("shout on")
            #expect(after.output == "ON for alice")
        }
    }

    @Test func sftpSubsystemServesTheRoot() async throws {
        let root = try Peers.temporaryDirectory("paramiko-root")
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = sftpSubsystem(root: root.path)
        try await Self.withPair(configuration: configuration) { client, _ in
            let sftp = try await client.openSFTP()
            try await sftp.mkdir("/inbox")
            let names = try await sftp.listDirectory("/").map(\.filename)
            #expect(names.contains("inbox"))
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("inbox").path))
            await sftp.close()
        }
    }

    @Test func localAndRemoteForwarding() async throws {
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        try await Self.withPair { client, _ in
            let local = try await client.forwardLocal(listen: .tcp(host: "127.0.0.1", port: 0), to: "127.0.0.1", port: echo.port)
            let viaLocal = try await EchoServer.exchange(port: local.localAddress?.port ?? 0, "through -L")
            #expect(viaLocal == "through -L")
            let bound = try await client.forwardRemote(address: "127.0.0.1", port: 0, to: .tcp(host: "127.0.0.1", port: echo.port))
            #expect(bound > 0)
            let viaRemote = try await EchoServer.exchange(port: bound, "through -R")
            #expect(viaRemote == "through -R")
            try await client.cancelRemoteForward(address: "127.0.0.1", port: bound)
            #expect(!loopbackPortAccepts(bound))
        }
    }

    @Test func twoHundredChannelsAtOnce() async throws {
        var configuration = SSHServerConfiguration()
        configuration.maximumSessions = 250
        try await Self.withPair(configuration: configuration) { client, _ in
            let outputs = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<200 { group.addTask { try await client.run("shout n\(index)").output } }
                var all: Set<String> = []
                for try await output in group { all.insert(output) }
                return all
            }
            #expect(outputs == Set((0..<200).map { "N\($0) for alice" }))
            #expect(await client.runtime.openChannelCount == 0)
        }
    }

    /// `run` sends EOF from a task of its own while its caller reads and then closes: however the
    /// two interleave, the EOF reaches the wire before the CLOSE that follows it, or the server
    /// (which refuses messages for a channel it closed) drops the connection.
    @Test func manyShortRunsKeepEachChannelsMessagesInOrder() async throws {
        try await Self.withPair { client, _ in
            for round in 0..<150 {
                let result = try await client.run("shout \(round)")
                #expect(result.output == "\(round) for alice")
                #expect(result.exitStatus == 9)
            }
        }
    }

    /// A global request whose handler takes a while holds back the packets after it (RFC 4254 §4:
    /// replies in the order of the requests): a channel opened meanwhile is served once it is
    /// answered, and both work.
    @Test func packetsAfterASlowGlobalRequestWaitForItsReply() async throws {
        Self.serverEvents.withLockedValue { $0 = [] }
        try await Self.withPair { client, _ in
            async let slow = client.runtime.globalRequest(.unknown(name: "slow@example.com", data: ByteBuffer()))
            while Self.serverEvents.withLockedValue({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
            let result = try await client.run("shout after")
            let answer = try await slow
            #expect(answer.success)
            #expect(result.output == "AFTER for alice")
            #expect(Self.serverEvents.withLockedValue { $0 } == ["slow started", "slow answered", "shout"])
            let refused = try await client.runtime.globalRequest(.unknown(name: "other@example.com", data: ByteBuffer()))
            #expect(!refused.success)
        }
    }

    @Test func sessionLimitAndNoMoreSessions() async throws {
        var configuration = SSHServerConfiguration()
        configuration.maximumSessions = 2
        try await Self.withPair(configuration: configuration) { client, _ in
            let first = try await client.runtime.openSession()
            let second = try await client.runtime.openSession()
            await #expect(throws: (any Error).self) { _ = try await client.runtime.openSession() }
            try await first.close()
            try await second.close()
            _ = try await client.runtime.globalRequest(.noMoreSessions, wantReply: false)
            await #expect(throws: (any Error).self) { _ = try await client.runtime.openSession() }
        }
    }
}
