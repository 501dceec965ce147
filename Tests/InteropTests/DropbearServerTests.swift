import Foundation
import NIOCore
import SFTP
import SSHAuth
import SSHClient
import SSHConnection
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// SSHClient against dropbear's server, logged in with the test account's password: exec with
/// stderr and exit status, bulk data both ways under each cipher and MAC dropbear has, local and
/// remote forwarding, and SFTP through the sftp-server dropbear starts.
@Suite(.enabled(if: Peers.available("dropbear") && TestUser.available, "dropbear or the test account is missing"), .serialized)
struct DropbearServerTests {
    /// dropbear on a free port with a new Ed25519 host key; without `passwords`, `-s` refuses
    /// password logins.
    static func start(passwords: Bool) async throws -> PeerProcess {
        let dropbear = try #require(Peers.executable("dropbear"))
        let keygen = try #require(Peers.executable("dropbearkey"))
        let directory = try Peers.temporaryDirectory("dropbear")
        let key = directory.appendingPathComponent("host_ed25519").path
        _ = try await Peers.runDetached([keygen, "-t", "ed25519", "-f", key])
        let port = freeLoopbackPort()
        return try PeerProcess(
            [dropbear, "-F", "-E"] + (passwords ? [] : ["-s"]) + ["-p", "127.0.0.1:\(port)", "-r", key], port: port,
            directory: directory)
    }

    static func withServer(_ body: (Int) async throws -> Void) async throws {
        let peer = try await start(passwords: true)
        defer { peer.stop() }
        try await body(peer.port)
    }

    static func connect(port: Int, transport: TransportConfiguration? = nil) async throws -> SSHClient {
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.password = TestUser.password
        var configuration = SSHClientConfiguration()
        if let transport { configuration.transport = transport }
        return try await SSHClient.connect(
            host: "127.0.0.1", port: port, username: TestUser.name, authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely, configuration: configuration)
    }

    @Test func bulkBothWaysUnderEachCipherAndMAC() async throws {
        var generator = SeededRandom(seed: 23)
        let input = (0..<(4 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let digest = try DigestAlgorithm.sha256.hash(input).map { String(format: "%02x", $0) }.joined()
        try await Self.withServer { port in
            for (cipher, mac) in [
                ("chacha20-poly1305@openssh.com", "hmac-sha2-256"), ("aes128-ctr", "hmac-sha2-256"),
                ("aes256-ctr", "hmac-sha1"),
            ] {
                var transport = SSHClientConfiguration().transport
                transport.algorithms.ciphers = [cipher]
                transport.algorithms.macs = [mac]
                let client = try await Self.connect(port: port, transport: transport)
                #expect(client.negotiated.cipherClientToServer.name == cipher)
                #expect(client.serverVersion.contains("dropbear"))
                let up = try await client.run("sha256sum", input: input)
                #expect(up.output.hasPrefix(digest), "\(cipher) \(mac): \(up.output) \(up.errorOutput)")
                let down = try await client.run("head -c 5000000 /dev/zero")
                #expect(down.stdout.count == 5_000_000 && down.stdout.allSatisfy { $0 == 0 }, "\(cipher) \(mac)")
                let both = try await client.run("echo out; echo err >&2; exit 3")
                #expect(both.output == "out\n")
                #expect(both.errorOutput.contains("err\n"))
                #expect(both.exitStatus == 3)
                await client.close()
            }
        }
    }

    @Test func forwardingAndSFTP() async throws {
        try await Self.withServer { port in
            let client = try await Self.connect(port: port)
            defer { Task { await client.close() } }
            let echo = try await EchoServer.start()
            defer { echo.stop() }
            let listener = try await client.forwardLocal(listen: .tcp(host: "127.0.0.1", port: 0), to: "127.0.0.1", port: echo.port)
            #expect(try await EchoServer.exchange(port: listener.localAddress?.port ?? 0, "through -L") == "through -L")
            let bound = try await client.forwardRemote(address: "127.0.0.1", port: 0, to: .tcp(host: "127.0.0.1", port: echo.port))
            #expect(bound > 0)
            #expect(try await EchoServer.exchange(port: bound, "through -R") == "through -R")

            let directory = try Peers.temporaryDirectory("dropbear-sftp")
            chmod(directory.path, 0o777)
            let sftp = try await client.openSFTP()
            let bytes = (0..<(3 << 20 + 9)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let local = directory.appendingPathComponent("local.bin").path
            try Data(bytes).write(to: URL(fileURLWithPath: local))
            let remote = directory.appendingPathComponent("remote.bin").path
            try await sftp.put(local, to: remote)
            #expect(try Data(contentsOf: URL(fileURLWithPath: remote)) == Data(bytes))
            try await sftp.symlink(target: "remote.bin", linkPath: directory.appendingPathComponent("link").path)
            #expect(try await sftp.readlink(directory.appendingPathComponent("link").path) == "remote.bin")
            try await sftp.get(directory.appendingPathComponent("link").path, to: local + ".back")
            #expect(try Data(contentsOf: URL(fileURLWithPath: local + ".back")) == Data(bytes))
        }
    }
}
