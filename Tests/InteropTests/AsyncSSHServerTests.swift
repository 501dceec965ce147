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

/// SSHClient against Python asyncssh's server: every key exchange, cipher, MAC, host key
/// algorithm and compression both implement, pinned one at a time; password, keyboard-interactive
/// and key logins; bulk data both ways; local and remote forwarding; and SFTP, whose SYMLINK
/// asyncssh reads in the draft's order from clients it does not know.
@Suite(.enabled(if: AsyncSSHPeer.available, "asyncssh is not installed"), .serialized)
struct AsyncSSHServerTests {
    /// The server: `HOSTKEYS AUTHORIZED ROOT`, host key files comma-separated. It prints its port
    /// and serves until killed, with every algorithm asyncssh has (GSS-API's aside) enabled. User
    /// `tester` logs in with password `secret`, the same as keyboard-interactive answer, or a key
    /// in AUTHORIZED. Commands: `sink` answers with the byte count and SHA-256 of its input;
    /// `source N` sends N bytes (0, 1, … 255 over and over); `fail` writes to both streams and
    /// exits with 3; anything else is echoed with status 5. SFTP is chrooted to ROOT.
    static let serverScript = """
        import asyncio, hashlib, sys
        import asyncssh
        from asyncssh.kex import get_kex_algs
        from asyncssh.encryption import get_encryption_algs
        from asyncssh.mac import get_mac_algs
        from asyncssh.public_key import get_public_key_algs
        from asyncssh.compression import get_compression_algs
        host_keys, authorized, root = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
        pattern = bytes(range(256)) * 128

        async def handle(process):
            command = process.command or ""
            if command == "sink":
                digest, count = hashlib.sha256(), 0
                while True:
                    data = await process.stdin.read(1 << 16)
                    if not data: break
                    digest.update(data); count += len(data)
                process.stdout.write(("%d %s\\n" % (count, digest.hexdigest())).encode())
                process.exit(0)
            elif command.startswith("source "):
                count = int(command.split()[1])
                while count > 0:
                    piece = pattern[:count]
                    process.stdout.write(piece)
                    await process.stdout.drain()
                    count -= len(piece)
                process.exit(0)
            elif command == "fail":
                process.stdout.write(b"out\\n"); process.stderr.write(b"err\\n"); process.exit(3)
            else:
                process.stdout.write(("ran %s\\n" % command).encode()); process.exit(5)

        class Server(asyncssh.SSHServer):
            def begin_auth(self, username): return True
            def password_auth_supported(self): return True
            def validate_password(self, username, password): return username == "tester" and password == "secret"
            def kbdint_auth_supported(self): return True
            def get_kbdint_challenge(self, username, lang, submethods): return "", "", "", [("Password: ", False)]
            def validate_kbdint_response(self, username, responses):
                return username == "tester" and list(responses) == ["secret"]
            def connection_requested(self, dest_host, dest_port, orig_host, orig_port): return True
            def server_requested(self, listen_host, listen_port): return True

        def names(algorithms): return [name.decode() for name in algorithms if not name.startswith(b"gss-")]

        async def main():
            server = await asyncssh.listen(
                "127.0.0.1", 0, server_host_keys=host_keys, authorized_client_keys=authorized, server_factory=Server,
                process_factory=handle, encoding=None, allow_scp=False,
                sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=root.encode()),
                kex_algs=names(get_kex_algs()), encryption_algs=names(get_encryption_algs()),
                mac_algs=names(get_mac_algs()), compression_algs=names(get_compression_algs()),
                signature_algs=names(get_public_key_algs()), config=None)
            print(server.sockets[0].getsockname()[1], flush=True)
            await asyncio.Event().wait()

        asyncio.run(main())
        """

    struct Server {
        let process: PeerProcess
        let directory: URL
        let root: URL
        let userKey: SSHPrivateKey
        var port: Int { process.port }
    }

    /// Starts the server with a host key of every type asyncssh reads and one authorized user key.
    static func startServer() async throws -> Server {
        let python = try #require(AsyncSSHPeer.python)
        let directory = try Peers.temporaryDirectory("asyncssh-server")
        let root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var hostKeyPaths: [String] = []
        for type in [SSHKeyType.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa, .dsa] {
            let path = directory.appendingPathComponent("host_\(hostKeyPaths.count)").path
            try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil).write(to: path)
            hostKeyPaths.append(path)
        }
        let userKey = try SSHPrivateKey.generate(.ed25519)
        let authorized = directory.appendingPathComponent("authorized_keys")
        try (userKey.publicKey.openSSHLine + "\n").write(to: authorized, atomically: true, encoding: .utf8)
        let process = try PeerProcess(
            printingPort: [python, "-u", "-c", serverScript, hostKeyPaths.joined(separator: ","), authorized.path, root.path],
            directory: directory)
        return Server(process: process, directory: directory, root: root, userKey: userKey)
    }

    static func connect(
        _ server: Server, password: Bool = true, interactive: Bool = false, transport: TransportConfiguration? = nil
    ) async throws -> SSHClient {
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        if interactive {
            strategy.preferredMethods = ["keyboard-interactive"]
            strategy.interactiveResponder = { challenge in challenge.prompts.map { _ in "secret" } }
        } else if password {
            strategy.password = "secret"
        } else {
            strategy.keys = [server.userKey]
        }
        var configuration = SSHClientConfiguration()
        if let transport { configuration.transport = transport }
        return try await SSHClient.connect(
            host: "127.0.0.1", port: server.port, username: "tester", authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely, configuration: configuration)
    }

    /// Each algorithm of ours that asyncssh also has, pinned on our side, through login and a
    /// command; ours that it lacks are listed, so one added on either side is tried here at once.
    @Test func everySharedAlgorithmNegotiates() async throws {
        let server = try await Self.startServer()
        defer { server.process.stop() }
        let supported = AlgorithmPreferences.supported
        let theirs = AsyncSSHPeer.algorithms
        var lacking: [String] = []
        var cases: [(String, TransportConfiguration)] = []
        func pinned(_ change: (inout AlgorithmPreferences) -> Void) -> TransportConfiguration {
            var configuration = SSHClientConfiguration().transport
            configuration.algorithms = .supported
            configuration.algorithms.macs = ["hmac-sha2-256"]
            change(&configuration.algorithms)
            return configuration
        }
        for name in supported.keyExchange {
            if theirs["kex"]?.contains(name) == true { cases.append((name, pinned { $0.keyExchange = [name] })) } else { lacking.append(name) }
        }
        for name in supported.ciphers {
            if theirs["cipher"]?.contains(name) == true { cases.append((name, pinned { $0.ciphers = [name] })) } else { lacking.append(name) }
        }
        for name in supported.macs {
            if theirs["mac"]?.contains(name) == true {
                cases.append((name, pinned { $0.ciphers = ["aes128-ctr"]; $0.macs = [name] }))
            } else {
                lacking.append(name)
            }
        }
        for name in supported.hostKey where !name.contains("-cert-") {
            if theirs["key"]?.contains(name) == true { cases.append((name, pinned { $0.hostKey = [name] })) } else { lacking.append(name) }
        }
        for name in supported.compression {
            cases.append((name, pinned { $0.compression = [name] }))
        }
        #expect(Set(lacking) == ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"])
        for (name, transport) in cases {
            let client = try await Self.connect(server, transport: transport)
            let result = try await client.run("hello \(name)")
            let negotiated = client.negotiated
            await client.close()
            #expect(result.output == "ran hello \(name)\n", "\(name): \(server.process.log)")
            #expect(result.exitStatus == 5)
            let used = [
                negotiated.keyExchange.name, negotiated.hostKey, negotiated.cipherClientToServer.name,
                negotiated.macClientToServer?.name ?? "", negotiated.compressionClientToServer,
            ]
            #expect(used.contains(name), "\(name): \(used)")
        }
    }

    @Test(arguments: ["password", "keyboard-interactive", "publickey"])
    func logsIn(method: String) async throws {
        let server = try await Self.startServer()
        defer { server.process.stop() }
        let client = try await Self.connect(server, password: method == "password", interactive: method == "keyboard-interactive")
        defer { Task { await client.close() } }
        #expect(client.authenticationMethods == [method])
        let result = try await client.run("fail")
        #expect(result.output == "out\n")
        #expect(result.errorOutput == "err\n")
        #expect(result.exitStatus == 3)
    }

    /// 12 MiB each way, with a re-exchange every MiB and compression on for the second round.
    @Test func bulkBothWaysAcrossReexchanges() async throws {
        let server = try await Self.startServer()
        defer { server.process.stop() }
        var generator = SeededRandom(seed: 5)
        let input = (0..<(12 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let digest = try DigestAlgorithm.sha256.hash(input).map { String(format: "%02x", $0) }.joined()
        for compression in ["none", "zlib@openssh.com"] {
            var transport = SSHClientConfiguration().transport
            transport.rekeyBytes = 1 << 20
            transport.algorithms.compression = [compression]
            let client = try await Self.connect(server, transport: transport)
            let up = try await client.run("sink", input: input)
            #expect(up.output == "\(input.count) \(digest)\n", "\(compression)")
            let down = try await client.run("source \(12 << 20)")
            #expect(down.stdout.count == 12 << 20, "\(compression)")
            #expect(down.stdout.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) })
            #expect(client.negotiated.compressionClientToServer == compression)
            await client.close()
        }
    }

    @Test func localAndRemoteForwarding() async throws {
        let server = try await Self.startServer()
        defer { server.process.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let client = try await Self.connect(server)
        defer { Task { await client.close() } }
        let listener = try await client.forwardLocal(listen: .tcp(host: "127.0.0.1", port: 0), to: "127.0.0.1", port: echo.port)
        #expect(try await EchoServer.exchange(port: listener.localAddress?.port ?? 0, "through -L") == "through -L")
        let bound = try await client.forwardRemote(address: "127.0.0.1", port: 0, to: .tcp(host: "127.0.0.1", port: echo.port))
        #expect(bound > 0)
        #expect(try await EchoServer.exchange(port: bound, "through -R") == "through -R")
    }

    /// Transfers, listing, links both ways round, attributes and OpenSSH's extensions against
    /// asyncssh's SFTP server, confined to its root.
    @Test func sftp() async throws {
        let server = try await Self.startServer()
        defer { server.process.stop() }
        let client = try await Self.connect(server)
        defer { Task { await client.close() } }
        let sftp = try await client.openSFTP()
        var generator = SeededRandom(seed: 9)
        let bytes = (0..<(5 << 20 + 123)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let local = server.directory.appendingPathComponent("local.bin").path
        try Data(bytes).write(to: URL(fileURLWithPath: local))
        try await sftp.put(local, to: "up.bin")
        #expect(try Data(contentsOf: server.root.appendingPathComponent("up.bin")) == Data(bytes))
        try await sftp.get("up.bin", to: local + ".back")
        #expect(try Data(contentsOf: URL(fileURLWithPath: local + ".back")) == Data(bytes))

        try await sftp.mkdir("dir")
        try await sftp.rename("up.bin", to: "dir/moved.bin")
        // asyncssh's chroot answers READLINK only for targets inside it written in full.
        try await sftp.symlink(target: "/dir/moved.bin", linkPath: "dir/link")
        try await sftp.hardlink("dir/moved.bin", to: "dir/hard")
        try await sftp.posixRename("dir/hard", to: "dir/hard2")
        let names = try await sftp.listDirectory("dir").map(\.filename).filter { $0 != "." && $0 != ".." }.sorted()
        #expect(names == ["hard2", "link", "moved.bin"])
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: server.root.appendingPathComponent("dir/link").path)
        #expect(link == server.root.appendingPathComponent("dir/moved.bin").path)
        #expect(try await sftp.readlink("dir/link") == "/dir/moved.bin")
        #expect(try await sftp.stat("dir/link").size == UInt64(bytes.count))
        #expect(try await sftp.realpath("dir/../dir/moved.bin") == "/dir/moved.bin")
        try await sftp.chmod("dir/moved.bin", mode: 0o640)
        #expect(try await sftp.stat("dir/moved.bin").permissions.map { $0 & 0o777 } == 0o640)
        try await sftp.truncate("dir/moved.bin", size: 1000)
        #expect(try await sftp.lstat("dir/moved.bin").size == 1000)
        try await sftp.utime("dir/moved.bin", accessTime: 1_000_000, modificationTime: 2_000_000)
        #expect(try await sftp.stat("dir/moved.bin").modificationTime == 2_000_000)
        #expect(try await sftp.statvfs("/").blockSize > 0)
        await #expect(throws: SFTPError.self) { try await sftp.stat("/etc/passwd") }
        for name in ["dir/moved.bin", "dir/link", "dir/hard2"] { try await sftp.remove(name) }
        try await sftp.rmdir("dir")
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root.path).isEmpty)
    }
}
