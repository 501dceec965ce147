import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SSHAuth
import SFTP
import SSHClient
import SSHConnection
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// Session channels on OpenSSH's sshd: exec with stdout, stderr and exit status; output and
/// input larger than the windows; several sessions on one connection.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"))
struct SessionInteropTests {
    /// What a command printed and how it ended.
    struct Run: Sendable {
        var stdout = 0
        var stderr = ByteBuffer()
        var text = ByteBuffer()
        var exitStatus: UInt32?
        var sawEOF = false
    }

    static func withSession<R: Sendable>(
        rekeyBytes: UInt64? = nil, algorithms: AlgorithmPreferences? = nil,
        exchanges: (@Sendable (Int) -> Void)? = nil, negotiated: (@Sendable (NegotiatedAlgorithms) -> Void)? = nil,
        _ body: @escaping @Sendable (ConnectionRuntime) async throws -> R
    ) async throws -> R {
        var configuration = TransportConfiguration(role: .client)
        if let rekeyBytes { configuration.rekeyBytes = rekeyBytes }
        if let algorithms { configuration.algorithms = algorithms }
        let key = try SSHPrivateKey.generate(.ed25519)
        // sshd run with -e and debug logging copies its log to sessions' stderr.
        let server = try await OpenSSHServer.start(configuration: ["LogLevel ERROR"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        return try await TransportConnection.withConnection(
            host: "127.0.0.1", port: server.port, configuration: configuration, hostKeyPolicy: .acceptAny
        ) { connection in
            negotiated?(connection.negotiated)
            _ = try await UserAuthClient(userName: NSUserName()).authenticate(over: connection, credentials: [.publicKey(key)])
            try await connection.authenticationSucceeded()
            let result = try await ConnectionRuntime.withRuntime(over: connection, body)
            exchanges?(connection.completedKeyExchanges)
            return result
        }
    }

    static func run(_ command: String, on runtime: ConnectionRuntime, input: ByteBuffer? = nil, keepText: Bool = true)
        async throws -> Run
    {
        let channel = try await runtime.openSession()
        #expect(try await channel.exec(command))
        // Input goes in while output is read, as a command like cat needs.
        let writer = Task {
            if let input {
                try await channel.write(input)
                try await channel.sendEOF()
            }
        }
        defer { writer.cancel() }
        var run = Run()
        var completion = SessionCompletion()
        for try await output in channel.output {
            switch output {
            case .stdout(var data):
                run.stdout += data.readableBytes
                if keepText { run.text.writeBuffer(&data) }
            case .stderr(var data): run.stderr.writeBuffer(&data)
            case .eof: run.sawEOF = true
            case .exitStatus(let status): run.exitStatus = status
            case .exitSignal: run.exitStatus = 255
            }
            // sshd may report the exit before the last output (it reads the child's pipe after it
            // exits): close only once both the exit and EOF are in.
            if completion.note(output) { try await channel.close() }
        }
        try await writer.value
        return run
    }

    @Test func execWithStdoutStderrAndExitStatus() async throws {
        let run = try await Self.withSession { runtime in
            try await Self.run("echo out; echo err >&2; exit 3", on: runtime)
        }
        #expect(String(buffer: run.text) == "out\n")
        #expect(String(buffer: run.stderr) == "err\n")
        #expect(run.exitStatus == 3)
        #expect(run.sawEOF)
    }

    /// 20 MB of output through a 2 MiB window, and 6 MB of input echoed back by cat.
    @Test func bulkBothWays() async throws {
        let (down, echoed) = try await Self.withSession { runtime in
            let down = try await Self.run("head -c 20000000 /dev/zero", on: runtime, keepText: false)
            let echoed = try await Self.run(
                "cat", on: runtime, input: ByteBuffer(repeating: 0x42, count: 6_000_000), keepText: false)
            return (down, echoed)
        }
        #expect(down.stdout == 20_000_000)
        #expect(down.exitStatus == 0)
        #expect(echoed.stdout == 6_000_000)
        #expect(echoed.exitStatus == 0)
    }

    /// 3 MB down and 3 MB up under each UMAC name with aes128-ctr, in packets of up to 32 KiB,
    /// whose MACs go through all three UHASH layers (L2 starts past 1 KiB): sshd checks ours, we
    /// check sshd's, and a re-exchange every 1 MiB brings in new UMAC keys mid-stream.
    @Test(arguments: MACAlgorithm.supported.filter { $0.kind == .umac })
    func bulkBothWaysUnderUMAC(mac: MACAlgorithm) async throws {
        var algorithms = AlgorithmPreferences.defaults
        algorithms.ciphers = ["aes128-ctr"]
        algorithms.macs = [mac.name]
        let chosen = NIOLockedValueBox<NegotiatedAlgorithms?>(nil)
        let count = NIOLockedValueBox(0)
        let (down, up) = try await Self.withSession(
            rekeyBytes: 1 << 20, algorithms: algorithms, exchanges: { value in count.withLockedValue { $0 = value } },
            negotiated: { value in chosen.withLockedValue { $0 = value } }
        ) { runtime in
            let down = try await Self.run("head -c 3000000 /dev/zero", on: runtime, keepText: false)
            let up = try await Self.run("wc -c", on: runtime, input: ByteBuffer(repeating: 0x42, count: 3_000_000))
            return (down, up)
        }
        let negotiated = try #require(chosen.withLockedValue { $0 })
        #expect(negotiated.macClientToServer == mac && negotiated.macServerToClient == mac)
        #expect(down.stdout == 3_000_000 && down.exitStatus == 0)
        #expect(String(buffer: up.text).trimmingCharacters(in: .whitespacesAndNewlines) == "3000000")
        #expect(count.withLockedValue { $0 } >= 3)
    }

    /// Re-exchanges every 512 KiB under strict kex while 8 MB go up: writers wait while a queue
    /// of 64 packets is full and go on once the new keys are in.
    @Test func rekeysWhileSending() async throws {
        let count = NIOLockedValueBox(0)
        let up = try await Self.withSession(rekeyBytes: 512 * 1024, exchanges: { value in count.withLockedValue { $0 = value } }) {
            runtime in
            try await Self.run("wc -c", on: runtime, input: ByteBuffer(repeating: 0x42, count: 8_000_000))
        }
        #expect(String(buffer: up.text).trimmingCharacters(in: .whitespacesAndNewlines) == "8000000")
        #expect(count.withLockedValue { $0 } >= 5)
    }

    /// With zlib@openssh.com, re-exchanges every 512 KiB while 6 MB of random bytes go through
    /// `cat`: each exchange starts new compression contexts (RFC 4253 §6.2), as sshd does.
    static let compressed: AlgorithmPreferences = {
        var algorithms = TransportConfiguration(role: .client).algorithms
        algorithms.compression = ["zlib@openssh.com"]
        return algorithms
    }()

    @Test func rekeysWithCompression() async throws {
        let count = NIOLockedValueBox(0)
        var generator = SeededRandom(seed: 11)
        let input = ByteBuffer(bytes: (0..<6_000_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let echoed = try await Self.withSession(
            rekeyBytes: 512 * 1024, algorithms: Self.compressed, exchanges: { value in count.withLockedValue { $0 = value } }
        ) { runtime in
            try await Self.run("cat", on: runtime, input: input)
        }
        #expect(echoed.exitStatus == 0)
        #expect(echoed.text == input)
        #expect(count.withLockedValue { $0 } >= 5)
    }

    /// The same while 16 MB come down.
    @Test func rekeysWhileReceiving() async throws {
        let down = try await Self.withSession(rekeyBytes: 512 * 1024) { runtime in
            try await Self.run("head -c 16000000 /dev/zero", on: runtime, keepText: false)
        }
        #expect(down.stdout == 16_000_000)
        #expect(down.exitStatus == 0)
    }

    @Test func severalSessionsAtOnce() async throws {
        let outputs = try await Self.withSession { runtime in
            try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<8 {
                    group.addTask { String(buffer: try await Self.run("echo \(index)", on: runtime).text) }
                }
                var all: [String] = []
                for try await output in group { all.append(output) }
                return all.sorted()
            }
        }
        #expect(outputs == (0..<8).map { "\($0)\n" })
    }

    /// Our SFTP client through sshd's `sftp` subsystem (OpenSSH's sftp-server): 16 MiB up and
    /// back with the same SHA-256, a listing and a stat.
    @Test func sftpThroughSSHD() async throws {
        let directory = try Peers.temporaryDirectory("sftp-over-ssh")
        defer { try? FileManager.default.removeItem(at: directory) }
        var bytes = [UInt8](repeating: 0, count: 16 * 1024 * 1024)
        var generator = SeededRandom(seed: 42)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: generator.next()) }
        let source = directory.appendingPathComponent("source").path
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let remote = directory.appendingPathComponent("remote").path
        let back = directory.appendingPathComponent("back").path
        let (size, names) = try await Self.withSession { runtime in
            let sftp = try await runtime.openSFTP()
            try await sftp.put(source, to: remote)
            try await sftp.get(remote, to: back)
            let size = try await sftp.stat(remote).size
            let names = try await sftp.listNames(directory.path)
            await sftp.close()
            return (size, names)
        }
        #expect(size == UInt64(bytes.count))
        #expect(Set(names).isSuperset(of: ["source", "remote", "back"]))
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == Data(bytes))
    }
}
