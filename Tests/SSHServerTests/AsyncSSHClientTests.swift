import Foundation
import SSHCrypto
import SSHServer
import SSHTestSupport
import SSHTransport
import Testing

/// Python asyncssh's client against SSHServer: every key exchange, cipher, MAC, host key
/// algorithm and compression both implement, pinned one at a time; then one connection's exec
/// with stderr and exit status, bulk data through `cat`, a pty with env, a signal, local and
/// remote forwarding, SFTP with OpenSSH's extensions, and a re-exchange every MiB.
@Suite(.enabled(if: AsyncSSHPeer.available, "asyncssh is not installed"), .serialized)
struct AsyncSSHClientTests {
    /// The script: `PORT KEY MODE [ARG]`. Mode `matrix` takes a JSON list of [parameter, name]
    /// pairs and prints `CASE parameter name` with what was negotiated, or `FAIL …`; mode
    /// `session` runs the session checks, printing one line per check; `publickey` logs in with
    /// the key file and runs one command.
    static let script = """
        import asyncio, hashlib, json, os, socket, sys
        import asyncssh
        port, key_path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]

        def connect(**options):
            auth = dict(client_keys=[key_path], preferred_auth="publickey") if mode == "publickey" else \\
                dict(client_keys=None, password="secret", preferred_auth="password")
            return asyncssh.connect("127.0.0.1", port, username="tester", known_hosts=None, agent_path=None,
                                    config=None, **auth, **options)

        async def matrix(cases):
            for parameter, name in cases:
                options = {parameter: [name]}
                if parameter == "mac_algs":
                    options["encryption_algs"] = ["aes128-ctr"]
                try:
                    async with connect(**options) as conn:
                        result = await conn.run("echo matrix", check=False)
                        info = conn.get_extra_info
                        print("CASE", parameter, name, result.stdout.strip(), result.exit_status,
                              info("send_cipher"), info("send_mac"), info("send_compression"), flush=True)
                except Exception as error:
                    print("FAIL", parameter, name, type(error).__name__, error, flush=True)

        async def echo_through(port, text):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(text); writer.write_eof()
            data = await reader.read()
            writer.close()
            return data

        async def session(echo_port, root):
            async with connect() as conn:
                result = await conn.run("echo out; echo err >&2; exit 4", check=False)
                print("EXEC", repr(result.stdout), repr(result.stderr), result.exit_status, flush=True)
                data = os.urandom(8 << 20)
                result = await conn.run("cat", input=data, encoding=None)
                print("CAT", len(result.stdout), result.stdout == data, flush=True)
                result = await conn.run("tty; stty size; echo $ASYNCSSH_X", term_type="xterm", term_size=(77, 22),
                                        env={"ASYNCSSH_X": "seven"}, check=False)
                print("PTY", result.stdout.replace("\\r\\n", "|"), flush=True)
                process = await conn.create_process("sleep 30")
                await asyncio.sleep(0.5)
                process.send_signal("TERM")
                result = await process.wait(check=False)
                print("SIGNAL", result.exit_signal[0] if result.exit_signal else None, result.exit_status, flush=True)
                listener = await conn.forward_local_port("127.0.0.1", 0, "127.0.0.1", echo_port)
                print("LOCAL", (await echo_through(listener.get_port(), b"via direct-tcpip")).decode(), flush=True)
                listener.close()
                listener = await conn.forward_remote_port("127.0.0.1", 0, "127.0.0.1", echo_port)
                print("REMOTE", (await echo_through(listener.get_port(), b"via tcpip-forward")).decode(), flush=True)
                listener.close()
                async with conn.start_sftp_client() as sftp:
                    local = os.path.join(root, "..", "asyncssh-local")
                    with open(local, "wb") as f: f.write(data[: 4 << 20])
                    await sftp.put(local, "up.bin")
                    await sftp.get("up.bin", local + ".back")
                    print("SFTP-ROUNDTRIP", open(local + ".back", "rb").read() == data[: 4 << 20], flush=True)
                    await sftp.mkdir("dir")
                    await sftp.rename("up.bin", "dir/moved.bin")
                    await sftp.symlink("moved.bin", "dir/link")
                    await sftp.link("dir/moved.bin", "dir/hard")
                    await sftp.posix_rename("dir/hard", "dir/hard2")
                    names = sorted(n for n in await sftp.listdir("dir") if n not in (".", ".."))
                    print("SFTP-LIST", names, flush=True)
                    print("SFTP-LINK", await sftp.readlink("dir/link"), (await sftp.stat("dir/link")).size, flush=True)
                    print("SFTP-LSTAT", (await sftp.lstat("dir/link")).type == asyncssh.FILEXFER_TYPE_SYMLINK, flush=True)
                    print("SFTP-REALPATH", await sftp.realpath("dir/../dir/moved.bin"), flush=True)
                    vfs = await sftp.statvfs(".")
                    print("SFTP-STATVFS", vfs.bsize > 0 and vfs.blocks > 0, flush=True)
                    await sftp.chmod("dir/moved.bin", 0o600)
                    print("SFTP-MODE", oct((await sftp.stat("dir/moved.bin")).permissions & 0o777), flush=True)
                    async with sftp.open("dir/moved.bin", "r+b") as f:
                        await f.seek(1 << 20)
                        await f.write(b"patched")
                        await f.seek(1 << 20)
                        print("SFTP-SEEK", await f.read(7), flush=True)
                        await f.truncate(2 << 20)
                    print("SFTP-SIZE", (await sftp.stat("dir/moved.bin")).size, flush=True)
                    for outside in ("../../../../etc/passwd", "/etc/passwd"):
                        try:
                            await sftp.stat(outside)
                            print("SFTP-ESCAPE reached", outside, flush=True)
                        except asyncssh.SFTPError as error:
                            print("SFTP-ESCAPE", type(error).__name__, flush=True)
                    for name in ("dir/moved.bin", "dir/link", "dir/hard2"):
                        await sftp.remove(name)
                    await sftp.rmdir("dir")
                    print("SFTP-EMPTY", sorted(n for n in await sftp.listdir(".") if n not in (".", "..")), flush=True)
            async with connect(rekey_bytes=1 << 20, compression_algs=["zlib@openssh.com"]) as conn:
                result = await conn.run("cat", input=data, encoding=None)
                print("REKEYED", result.stdout == data, conn.get_extra_info("send_compression"), flush=True)

        async def main():
            if mode == "matrix":
                await matrix(json.loads(sys.argv[4]))
            elif mode == "session":
                await session(int(sys.argv[4]), sys.argv[5])
            else:
                async with connect() as conn:
                    result = await conn.run("echo key", check=False)
                    print("KEY", result.stdout.strip(), result.exit_status, flush=True)

        asyncio.run(main())
        """

    /// A server with a host key of every type, every algorithm enabled, and SFTP under `root`.
    static func startServer(root: String? = nil) async throws -> (SSHServer, keyPath: String) {
        let directory = try Peers.temporaryDirectory("asyncssh-client")
        let clientKey = try SSHPrivateKey.generate(.ed25519)
        let keyPath = directory.appendingPathComponent("id_ed25519").path
        try clientKey.write(to: keyPath)
        let hostKeys = try [SSHKeyType.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa, .dsa].map {
            try SSHPrivateKey.generate($0, bits: $0 == .rsa ? 2048 : nil)
        }
        var configuration = SSHServerConfiguration()
        configuration.transport.algorithms = .supported
        if let root { configuration.subsystems["sftp"] = sftpSubsystem(root: root) }
        let server = try await SSHServer.listen(
            host: "127.0.0.1", port: 0, hostKeys: hostKeys,
            delegate: GrantingDelegate(key: clientKey.publicKey, workingDirectory: root), configuration: configuration)
        return (server, keyPath)
    }

    static func run(_ arguments: [String]) async throws -> String {
        let python = try #require(AsyncSSHPeer.python)
        let result = try await Peers.runDetached([python, "-c", script] + arguments, timeout: 300)
        #expect(result.status == 0, "\(result.output)")
        return result.output
    }

    /// Each algorithm of ours that asyncssh also has, pinned on asyncssh's side; ours that it
    /// lacks are listed, so one added on either side is tried here at once.
    @Test func everySharedAlgorithmNegotiates() async throws {
        let (server, keyPath) = try await Self.startServer()
        defer { Task { await server.shutdown(gracePeriod: .seconds(1)) } }
        let supported = AlgorithmPreferences.supported
        let theirs = AsyncSSHPeer.algorithms
        var cases: [[String]] = []
        var lacking: [String] = []
        for (parameter, kind, names) in [
            ("kex_algs", "kex", supported.keyExchange), ("encryption_algs", "cipher", supported.ciphers),
            ("mac_algs", "mac", supported.macs),
            ("server_host_key_algs", "key", supported.hostKey.filter { !$0.contains("-cert-") }),
            ("compression_algs", "compression", supported.compression),
        ] {
            for name in names {
                if theirs[kind]?.contains(name) == true { cases.append([parameter, name]) } else { lacking.append(name) }
            }
        }
        #expect(Set(lacking) == ["sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com"])
        let list = String(decoding: try JSONSerialization.data(withJSONObject: cases), as: UTF8.self)
        let output = try await Self.run(["\(server.port)", keyPath, "matrix", list])
        #expect(!output.contains("FAIL"), "\(output)")
        for pair in cases {
            let line = output.split(separator: "\n").first { $0.hasPrefix("CASE \(pair[0]) \(pair[1]) ") }
            #expect(line?.contains(" matrix 0 ") == true, "\(pair): \(output)")
            switch pair[0] {
            case "encryption_algs": #expect(line?.contains(" 0 \(pair[1]) ") == true, "\(line ?? "")")
            case "mac_algs": #expect(line?.contains(" aes128-ctr \(pair[1]) ") == true, "\(line ?? "")")
            case "compression_algs": #expect(line?.hasSuffix(" \(pair[1])") == true, "\(line ?? "")")
            default: break
            }
        }
    }

    @Test func publicKeyLogin() async throws {
        let (server, keyPath) = try await Self.startServer()
        defer { Task { await server.shutdown(gracePeriod: .seconds(1)) } }
        let output = try await Self.run(["\(server.port)", keyPath, "publickey"])
        #expect(output.contains("KEY key 0"), "\(output)")
    }

    @Test func sessionsForwardingAndSFTP() async throws {
        let root = try Peers.temporaryDirectory("asyncssh-root").appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let (server, keyPath) = try await Self.startServer(root: root.path)
        defer { Task { await server.shutdown(gracePeriod: .seconds(1)) } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let output = try await Self.run(["\(server.port)", keyPath, "session", "\(echo.port)", root.path])
        #expect(output.contains("EXEC 'out\\n' 'err\\n' 4"), "\(output)")
        #expect(output.contains("CAT 8388608 True"), "\(output)")
        #expect(output.contains("PTY /dev/pts/"), "\(output)")
        #expect(output.contains("|22 77|seven|"), "\(output)")
        #expect(output.contains("SIGNAL TERM"), "\(output)")
        #expect(output.contains("LOCAL via direct-tcpip"), "\(output)")
        #expect(output.contains("REMOTE via tcpip-forward"), "\(output)")
        #expect(output.contains("SFTP-ROUNDTRIP True"), "\(output)")
        #expect(output.contains("SFTP-LIST ['hard2', 'link', 'moved.bin']"), "\(output)")
        #expect(output.contains("SFTP-LINK moved.bin 4194304"), "\(output)")
        #expect(output.contains("SFTP-LSTAT True"), "\(output)")
        #expect(output.contains("SFTP-REALPATH /dir/moved.bin"), "\(output)")
        #expect(output.contains("SFTP-STATVFS True"), "\(output)")
        #expect(output.contains("SFTP-MODE 0o600"), "\(output)")
        #expect(output.contains("SFTP-SEEK b'patched'"), "\(output)")
        #expect(output.contains("SFTP-SIZE 2097152"), "\(output)")
        #expect(output.components(separatedBy: "SFTP-ESCAPE SFTPNoSuchFile").count == 3, "\(output)")
        #expect(output.contains("SFTP-EMPTY []"), "\(output)")
        #expect(output.contains("REKEYED True zlib@openssh.com"), "\(output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
    }
}
