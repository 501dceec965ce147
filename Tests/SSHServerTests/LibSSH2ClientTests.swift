import Foundation
import SSHAuth
import SSHCrypto
import SSHServer
import SSHTestSupport
import SSHTransport
import Testing

/// Our C client on libssh2 (`Fixtures/libssh2_client.c`), compiled once per test run with the
/// toolchain's `clang` (or `cc`) against the system's libssh2.
enum LibSSH2Client {
    /// The client's source, beside this file.
    static let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/libssh2_client.c").path

    /// The C compiler to build it with.
    static let compiler = Peers.executable("clang") ?? Peers.executable("cc")

    /// True when libssh2's header and a compiler are there (or under CI, where a missing one fails).
    static var available: Bool {
        let header = ["/usr/include", "/usr/local/include", "/opt/homebrew/include"].contains {
            FileManager.default.fileExists(atPath: $0 + "/libssh2.h")
        }
        return (header && compiler != nil) || Peers.required
    }

    private static let built: Result<String, PeerError> = {
        guard let compiler else { return .failure(PeerError("no C compiler (clang or cc)")) }
        do {
            let binary = try Peers.temporaryDirectory("libssh2-client").appendingPathComponent("libssh2_client").path
            var arguments = [compiler, "-O1", "-o", binary, source]
            #if os(macOS)
                arguments += ["-I/opt/homebrew/include", "-L/opt/homebrew/lib"]
            #endif
            let compiled = try Peers.run(arguments + ["-lssh2"], timeout: 120)
            guard compiled.status == 0 else {
                return .failure(PeerError("compiling the libssh2 client: \(compiled.output)"))
            }
            return .success(binary)
        } catch {
            return .failure(PeerError("compiling the libssh2 client: \(error)"))
        }
    }()

    /// The compiled client's path.
    static func binary() throws -> String { try built.get() }

    /// What libssh2 supports for a method type (`kex`, `hostkey`, `crypt`, `mac`, `comp`).
    static func algorithms(_ type: String) throws -> [String] {
        let listed = try Peers.run([try binary(), "algs", type])
        guard listed.status == 0 else { throw PeerError("libssh2_client algs \(type): \(listed.output)") }
        return listed.output.split(separator: "\n").map(String.init)
    }

    /// libssh2's version as (major, minor).
    static func version() throws -> (Int, Int) {
        let printed = try Peers.run([try binary(), "version"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = printed.split(separator: ".").compactMap { Int($0) }
        guard parts.count >= 2 else { throw PeerError("libssh2_client version: \(printed)") }
        return (parts[0], parts[1])
    }

    /// Runs the client against 127.0.0.1:`port` with `options` (a login among them), then
    /// `command`; returns its exit status and its standard output and error together.
    static func run(
        port: Int, _ options: [String], _ command: [String], input: Data? = nil, environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        try await Peers.runDetached(
            [try binary(), "-p", "\(port)"] + options + command, input: input, timeout: 120, environment: environment)
    }
}

/// libssh2, the SSH library inside curl, libgit2 and PHP's ssh2, as a client of SSHServer: every
/// key exchange, host key, cipher, MAC and compression method both have, pinned one at a time
/// with bulk data checked by SHA-256; key (of each type), password, keyboard-interactive and agent
/// logins, with a banner and with keepalives; exec with stdin, stderr, exit status, an exit signal
/// and half-close; ten channels at once; a pty with modes, env, window-change and a shell; 8 MiB
/// through `cat`, also across re-exchanges; SFTP transfers and directory operations; scp both
/// ways; and -L and -R forwarding.
@Suite(
    .enabled(if: LibSSH2Client.available, "libssh2's header (libssh2-1-dev) or a C compiler is missing"), .serialized)
struct LibSSH2ClientTests {
    /// A server with SFTP (and the working directory of commands) under `root`, every algorithm
    /// enabled and a host key of every type.
    static func startServer(root: URL? = nil, rekeyBytes: UInt64? = nil) async throws -> ServerWorkspace {
        var configuration = SSHServerConfiguration()
        configuration.transport.algorithms = .supported
        if let rekeyBytes { configuration.transport.rekeyBytes = rekeyBytes }
        if let root { configuration.subsystems["sftp"] = sftpSubsystem(root: root.path) }
        return try await ServerWorkspace.start(
            configuration: configuration, hostKeyTypes: [.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa, .dsa]
        ) { key in GrantingDelegate(key: key, workingDirectory: root?.path) }
    }

    /// The client logged in with the workspace's key.
    static func run(
        _ workspace: ServerWorkspace, _ options: [String], _ command: [String], input: Data? = nil
    ) async throws -> (status: Int32, output: String) {
        try await LibSSH2Client.run(
            port: workspace.server.port, ["-i", workspace.keyPath] + options, command, input: input)
    }

    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var generator = SeededRandom(seed: seed)
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Each method libssh2 and we both have, pinned on libssh2's side, carries 3 MiB through
    /// `sha256sum`; the pinned method is the one negotiated. libssh2's methods we lack are listed,
    /// so that one added on our side is tried here at once.
    @Test func everySharedAlgorithmCarriesData() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let ours = AlgorithmPreferences.supported
        var cases: [(type: String, name: String)] = []
        var lacking: Set<String> = []
        for (type, supported) in [
            ("kex", ours.keyExchange), ("hostkey", ours.hostKey), ("crypt", ours.ciphers), ("mac", ours.macs),
            ("comp", ours.compression),
        ] {
            for name in try LibSSH2Client.algorithms(type) {
                // Certificate host keys need a certificate, which this server has not.
                if supported.contains(name) && !name.contains("-cert-") {
                    cases.append((type, name))
                } else if !name.contains("-cert-") {
                    lacking.insert(name)
                }
            }
        }
        #expect(
            lacking.isSubset(of: [
                "rijndael-cbc@lysator.liu.se", "blowfish-cbc", "arcfour128", "arcfour", "cast128-cbc",
                "hmac-ripemd160", "hmac-ripemd160@openssh.com",
            ]), "\(lacking)")
        #expect(cases.count >= 30, "\(cases)")
        let names = Set(cases.map(\.name))
        for expected in [
            "curve25519-sha256", "ecdh-sha2-nistp521", "diffie-hellman-group-exchange-sha256",
            "diffie-hellman-group18-sha512", "ssh-ed25519", "ecdsa-sha2-nistp384", "ssh-rsa", "aes256-ctr",
            "aes128-cbc", "hmac-sha2-512", "hmac-sha1", "zlib@openssh.com", "zlib",
        ] {
            #expect(names.contains(expected), "libssh2 lists no \(expected)")
        }
        let input = Self.randomBytes(3 << 20, seed: 23)
        let digest = try await Peers.runDetached([try #require(Peers.executable("sha256sum"))], input: input)
        let expected = String(digest.output.prefix(64))
        for (type, name) in cases {
            let result = try await Self.run(workspace, ["-m", "\(type)=\(name)"], ["exec", "sha256sum"], input: input)
            #expect(result.status == 0, "\(type) \(name): \(result.output)")
            #expect(result.output.contains(expected), "\(type) \(name): \(result.output)")
            let negotiated = result.output.split(separator: "\n").first { $0.hasPrefix("METHODS ") } ?? ""
            let field = type == "kex" || type == "hostkey" ? "\(type)=\(name)" : "\(type)=\(name),\(name)"
            #expect(negotiated.split(separator: " ").contains(Substring(field)), "\(type) \(name): \(negotiated)")
        }
    }

    @Test func passwordKeyboardInteractiveAndAgentLogins() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let port = workspace.server.port
        let password = try await LibSSH2Client.run(
            port: port, ["-m", "hostkey=ssh-ed25519", "-w", "secret"], ["exec", "echo in by password"])
        #expect(
            password.output.contains("HOSTKEY \(workspace.hostKey.publicKey.fingerprint())\n"), "\(password.output)")
        #expect(password.status == 0 && password.output.contains("in by password"), "\(password.output)")
        #expect(password.output.contains("AUTH-METHODS publickey,password,keyboard-interactive"), "\(password.output)")
        let wrong = try await LibSSH2Client.run(port: port, ["-w", "guess"], ["exec", "echo should not run"])
        #expect(wrong.status == 71 && wrong.output.contains("ERROR login"), "\(wrong.output)")
        #expect(!wrong.output.contains("should not run"))

        let interactive = try await LibSSH2Client.run(port: port, ["-k", "secret"], ["exec", "echo in by kbd"])
        #expect(interactive.status == 0 && interactive.output.contains("in by kbd"), "\(interactive.output)")
        #expect(interactive.output.contains("PROMPT Password:  echo=0"), "\(interactive.output)")
        let refused = try await LibSSH2Client.run(port: port, ["-k", "guess"], ["exec", "echo should not run"])
        #expect(refused.status == 71 && !refused.output.contains("should not run"), "\(refused.output)")

        let otherKey = try SSHPrivateKey.generate(.ecdsaP256)
        let otherPath = workspace.directory.appendingPathComponent("id_other").path
        try otherKey.write(to: otherPath)
        let unknownKey = try await LibSSH2Client.run(port: port, ["-i", otherPath], ["exec", "echo should not run"])
        #expect(unknownKey.status == 71 && !unknownKey.output.contains("should not run"), "\(unknownKey.output)")

        // libssh2's agent client, through our agent server holding the client key.
        let agentDirectory = try Peers.temporaryDirectory("libssh2-agent")
        defer { try? FileManager.default.removeItem(at: agentDirectory) }
        chmod(agentDirectory.path, 0o700)
        let agent = try await SSHAgentServer.listen(path: agentDirectory.path + "/agent.sock")
        defer { Task { await agent.close() } }
        await agent.keyring.add(otherKey, comment: "not this one")
        await agent.keyring.add(try SSHPrivateKey(path: workspace.keyPath), comment: "the client key")
        let viaAgent = try await LibSSH2Client.run(
            port: port, ["-a"], ["exec", "echo in by agent"], environment: ["SSH_AUTH_SOCK": agent.path])
        #expect(viaAgent.status == 0 && viaAgent.output.contains("in by agent"), "\(viaAgent.output)")
        #expect(viaAgent.output.contains("AGENT-KEY the client key"), "\(viaAgent.output)")
    }

    /// ECDSA user keys of each curve log in. libssh2 before 1.11 signs with an RSA key as
    /// `ssh-rsa` (SHA-1), which the server refuses unless configured to take it, as sshd does.
    @Test(arguments: [SSHKeyType.ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa])
    func userKeyTypes(_ type: SSHKeyType) async throws {
        let key = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let sha1Only = try LibSSH2Client.version() < (1, 11)
        for lenient in type == .rsa ? [false, true] : [false] {
            var configuration = SSHServerConfiguration()
            if lenient {
                configuration.authentication.publicKeyAlgorithms = ServerAuthConfiguration.supportedPublicKeyAlgorithms
            }
            let workspace = try await ServerWorkspace.start(configuration: configuration) { _ in
                GrantingDelegate(key: key.publicKey)
            }
            defer { Task { await workspace.stop() } }
            let path = workspace.directory.appendingPathComponent("id_user").path
            try key.write(to: path)
            let result = try await LibSSH2Client.run(
                port: workspace.server.port, ["-i", path], ["exec", "echo in with \(type)"])
            let refused = type == .rsa && sha1Only && !lenient
            #expect(
                result.output.contains("in with \(type)") == !refused, "\(type) lenient=\(lenient): \(result.output)")
            #expect(result.status == (refused ? 71 : 0), "\(type) lenient=\(lenient): \(result.output)")
        }
    }

    /// A USERAUTH_BANNER before the answer to each login method does not upset libssh2's waits.
    @Test func loginsWithABanner() async throws {
        let workspace = try await ServerWorkspace.start { key in
            GrantingDelegate(key: key, banner: "Authorized use only.\r\n")
        }
        defer { Task { await workspace.stop() } }
        let port = workspace.server.port
        for options in [["-i", workspace.keyPath], ["-w", "secret"], ["-k", "secret"]] {
            let result = try await LibSSH2Client.run(port: port, options, ["exec", "echo past the banner"])
            #expect(result.status == 0 && result.output.contains("past the banner\n"), "\(options): \(result.output)")
        }
    }

    /// With keepalives configured once logged in, libssh2 sends keepalive@openssh.com (want-reply)
    /// whenever it waits for the socket; the server answers each and the command runs on.
    @Test func keepalivesWhileCommandsRun() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let key = try await Self.run(workspace, ["-K"], ["exec", "sleep 3; echo alive"])
        #expect(key.status == 0 && key.output.contains("alive\n"), "\(key.output)")
        let password = try await LibSSH2Client.run(
            port: workspace.server.port, ["-K", "-w", "secret"], ["exec", "echo alive"])
        #expect(password.status == 0 && password.output.contains("alive\n"), "\(password.output)")
        let interactive = try await LibSSH2Client.run(
            port: workspace.server.port, ["-K", "-k", "secret"], ["exec", "echo alive"])
        #expect(interactive.status == 0 && interactive.output.contains("alive\n"), "\(interactive.output)")
    }

    @Test func execStreamsStatusSignalAndHalfClose() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let both = try await Self.run(workspace, [], ["exec", "cat; echo err >&2; exit 3"], input: Data("in\n".utf8))
        #expect(both.status == 3, "\(both.output)")
        #expect(both.output.contains("in\n") && both.output.contains("err\n"), "\(both.output)")
        #expect(both.output.contains("EXIT-STATUS 3") && !both.output.contains("EXIT-SIGNAL"), "\(both.output)")

        let killed = try await Self.run(workspace, [], ["exec", "echo before; kill -TERM $$; echo after"])
        #expect(killed.status == 128, "\(killed.output)")
        #expect(killed.output.contains("before") && !killed.output.contains("after"), "\(killed.output)")
        #expect(killed.output.contains("EXIT-SIGNAL TERM"), "\(killed.output)")

        // A command that ends before reading its input: the server closes the channel under
        // libssh2's writes and still reports the exit status.
        let early = try await Self.run(
            workspace, [], ["exec", "head -c 10 >/dev/null; echo early; exit 5"],
            input: Self.randomBytes(8 << 20, seed: 41))
        #expect(early.status == 5 && early.output.contains("early\n"), "\(early.output)")

        // auth-agent-req@openssh.com: the command gets a socket to reach the client's agent by.
        let agent = try await Self.run(workspace, ["-A"], ["exec", "test -S \"$SSH_AUTH_SOCK\" && echo agent-socket"])
        #expect(agent.status == 0 && agent.output.contains("agent-socket\n"), "\(agent.output)")

        // The command sees EOF once libssh2 half-closes, and still answers afterwards.
        let counted = try await Self.run(
            workspace, [], ["exec", "wc -c; echo done"], input: Self.randomBytes(100_003, seed: 5))
        #expect(counted.status == 0 && counted.output.contains("100003\ndone\n"), "\(counted.output)")
    }

    /// Twelve session channels at once on one connection: the first ten (the server's
    /// maximumSessions, sshd's MaxSessions) each carry 1 MB and an exit status; the rest are refused.
    @Test func concurrentChannelsUpToTheSessionLimit() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let result = try await Self.run(
            workspace, [], ["multi", "12", "head -c 1000000 /dev/zero | tr '\\0' x; exit 3"])
        #expect(result.status == 0, "\(result.output)")
        for index in 0..<10 {
            #expect(result.output.contains("CHANNEL \(index) bytes=1000000 status=3\n"), "\(result.output)")
        }
        #expect(result.output.contains("REFUSED 10 "), "\(result.output)")
        #expect(!result.output.contains("CHANNEL 10 "), "\(result.output)")
    }

    /// 8 MiB through `cat` and back, once with the server starting a new key exchange every MiB
    /// while libssh2 is mid-write.
    @Test(arguments: [false, true]) func eightMiBThroughCat(rekeyingEveryMiB: Bool) async throws {
        let workspace = try await Self.startServer(rekeyBytes: rekeyingEveryMiB ? 1 << 20 : nil)
        defer { Task { await workspace.stop() } }
        let input = Self.randomBytes(8 << 20, seed: 29)
        let output = workspace.directory.appendingPathComponent("cat.out")
        let result = try await Self.run(workspace, ["-o", output.path], ["exec", "cat"], input: input)
        #expect(result.status == 0, "\(result.output)")
        let received = try Data(contentsOf: output)
        #expect(received.count == input.count)
        #expect(received == input)
    }

    @Test func ptyWithModesAndEnvironment() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let result = try await Self.run(
            workspace, ["-t", "xterm", "-s", "77x22", "-e", "LIBSSH2_X=seven"],
            ["exec", "tty; stty -a; echo term=$TERM x=$LIBSSH2_X"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("/dev/pts/"), "\(result.output)")
        #expect(result.output.contains("rows 22; columns 77"), "\(result.output)")
        #expect(result.output.contains(" -echo "), "\(result.output)")
        #expect(result.output.contains("intr = ^C"), "\(result.output)")
        #expect(result.output.contains("speed 38400 baud"), "\(result.output)")
        #expect(result.output.contains("term=xterm x=seven"), "\(result.output)")

        // libssh2_channel_request_pty()'s empty terminal modes string, with no TTY_OP_END.
        let plain = try await Self.run(workspace, ["-T", "vanilla"], ["exec", "tty; echo term=$TERM"])
        #expect(plain.status == 0 && plain.output.contains("/dev/pts/"), "\(plain.output)")
        #expect(plain.output.contains("term=vanilla\r\n"), "\(plain.output)")  // ONLCR: the pty ends lines with CR LF

        // A window-change once the command runs, before it asks for the size.
        let resized = try await Self.run(
            workspace, ["-t", "xterm", "-s", "77x22", "-W", "100x30"], ["exec", "sleep 1; stty size"])
        #expect(resized.status == 0 && resized.output.contains("30 100"), "\(resized.output)")

        // A login shell on the pty, fed from stdin, ending with its exit status.
        let shell = try await Self.run(
            workspace, ["-t", "xterm"], ["shell"], input: Data("echo from-$((6 * 7))\nexit 7\n".utf8))
        #expect(shell.status == 7 && shell.output.contains("from-42"), "\(shell.output)")
        #expect(shell.output.contains("EXIT-STATUS 7"), "\(shell.output)")
    }

    @Test func sftpTransfersAndDirectoryOperations() async throws {
        let root = try Peers.temporaryDirectory("libssh2-root")
        let workspace = try await Self.startServer(root: root)
        defer {
            Task { await workspace.stop() }
            try? FileManager.default.removeItem(at: root)
        }
        let bytes = Self.randomBytes(3 << 20 + 5, seed: 31)
        let local = workspace.directory.appendingPathComponent("local.bin")
        try bytes.write(to: local)
        func sftp(_ arguments: String...) async throws -> String {
            let result = try await Self.run(workspace, [], arguments)
            #expect(result.status == 0, "\(arguments): \(result.output)")
            return result.output
        }
        _ = try await sftp("sftp-put", local.path, "up.bin")
        _ = try await sftp("sftp-get", "up.bin", local.path + ".back")
        let sha256sum = try #require(Peers.executable("sha256sum"))
        let sums = try await Peers.runDetached([sha256sum, local.path, local.path + ".back", root.path + "/up.bin"])
        let digests = sums.output.split(separator: "\n").map { $0.prefix(64) }
        #expect(digests.count == 3 && Set(digests).count == 1, "\(sums.output)")

        _ = try await sftp("sftp-mkdir", "d")
        _ = try await sftp("sftp-rename", "up.bin", "d/moved.bin")
        _ = try await sftp("sftp-symlink", "moved.bin", "d/link")
        #expect(try await sftp("sftp-readlink", "d/link").contains("LINK moved.bin\n"))
        #expect(try await sftp("sftp-stat", "d/link").contains("STAT size=3145733 mode=644 type=file"))
        #expect(try await sftp("sftp-lstat", "d/link").contains("type=link"))
        #expect(try await sftp("sftp-stat", "d").contains("type=dir"))
        #expect(try await sftp("sftp-realpath", "d/../d/moved.bin").contains("REAL /d/moved.bin\n"))
        let listing = try await sftp("sftp-ls", "d")
        #expect(
            listing.contains("ENTRY link size=") && listing.contains("ENTRY moved.bin size=3145733 mode=644 type=file"),
            "\(listing)")
        #expect(listing.components(separatedBy: "ENTRY ").count == 3, "\(listing)")
        // The ls -l style long names libssh2 hands to programs such as curl, which print them.
        let longNames = listing.split(separator: "\n").filter { $0.hasPrefix("LONG ") }
        #expect(
            longNames.contains {
                $0.hasPrefix("LONG -rw-r--r-- ") && $0.contains(" 3145733 ") && $0.hasSuffix(" moved.bin")
            },
            "\(listing)")
        #expect(longNames.contains { $0.hasPrefix("LONG lrwxrwxrwx ") && $0.hasSuffix(" link") }, "\(listing)")
        let statvfs = try await sftp("sftp-statvfs", "/")
        #expect(statvfs.contains("STATVFS bsize=") && !statvfs.contains("blocks=0 "), "\(statvfs)")
        // APPEND writes land after what is there whatever offset libssh2 sends; fsync@openssh.com; fstat.
        let tail = workspace.directory.appendingPathComponent("tail.txt")
        try Data("appended\n".utf8).write(to: tail)
        #expect(try await sftp("sftp-append", tail.path, "d/moved.bin").contains("FSTAT size=3145742 "))
        let appended = try Data(contentsOf: root.appendingPathComponent("d/moved.bin"))
        #expect(appended.prefix(bytes.count) == bytes && appended.suffix(9) == Data("appended\n".utf8))
        let setstat = try await sftp("sftp-setstat", "d/moved.bin", "600", "1700000000")
        #expect(setstat.contains("MTIME 1700000000\nSTAT size=3145742 mode=600 type=file"), "\(setstat)")
        _ = try await sftp("sftp-mkdir", "d/gone")
        _ = try await sftp("sftp-rmdir", "d/gone")

        let missing = try await Self.run(workspace, [], ["sftp-stat", "d/none"])
        // SSH_FX_NO_SUCH_FILE (draft-ietf-secsh-filexfer-02 §7)
        #expect(missing.status == 73 && missing.output.contains("SFTP-STATUS 2\n"), "\(missing.output)")
        // SSH_FX_FAILURE, as sshd's sftp-server answers these
        for failing in [["sftp-mkdir", "d"], ["sftp-unlink", "d"], ["sftp-rename", "d/moved.bin", "d"]] {
            let refused = try await Self.run(workspace, [], failing)
            #expect(refused.status == 73 && refused.output.contains("SFTP-STATUS 4\n"), "\(failing): \(refused.output)")
        }
        let outside = try await Self.run(workspace, [], ["sftp-stat", "../../../../etc/passwd"])
        #expect(outside.status == 73, "\(outside.output)")
        let notEmpty = try await Self.run(workspace, [], ["sftp-rmdir", "d"])
        #expect(notEmpty.status == 73, "\(notEmpty.output)")

        _ = try await sftp("sftp-unlink", "d/link")
        _ = try await sftp("sftp-unlink", "d/moved.bin")
        _ = try await sftp("sftp-rmdir", "d")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty)
    }

    @Test(.enabled(if: Peers.available("scp"), "scp is not installed"))
    func scpBothWays() async throws {
        let root = try Peers.temporaryDirectory("libssh2-scp")
        let workspace = try await Self.startServer(root: root)
        defer {
            Task { await workspace.stop() }
            try? FileManager.default.removeItem(at: root)
        }
        let bytes = Self.randomBytes(2 << 20 + 7, seed: 37)
        let local = workspace.directory.appendingPathComponent("scp.bin")
        try bytes.write(to: local)
        chmod(local.path, 0o640)
        let put = try await Self.run(workspace, [], ["scp-put", local.path, "sent.bin"])
        #expect(put.status == 0, "\(put.output)")
        let sent = root.appendingPathComponent("sent.bin")
        #expect(try Data(contentsOf: sent) == bytes)
        let mode = try FileManager.default.attributesOfItem(atPath: sent.path)[.posixPermissions] as? Int
        #expect(mode == 0o640)

        let got = try await Self.run(workspace, [], ["scp-get", "sent.bin", local.path + ".back"])
        #expect(got.status == 0, "\(got.output)")
        #expect(got.output.contains("SCP-MODE 640 SIZE 2097159"), "\(got.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: local.path + ".back")) == bytes)

        let missing = try await Self.run(workspace, [], ["scp-get", "none.bin", local.path + ".none"])
        #expect(missing.status != 0, "\(missing.output)")
    }

    @Test func localForwardCarriesEchoTraffic() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let text = String(repeating: "through libssh2 direct-tcpip ", count: 5000)
        let result = try await Self.run(
            workspace, [], ["direct-tcpip", "127.0.0.1", "\(echo.port)"], input: Data(text.utf8))
        #expect(result.status == 0, "\(result.output.suffix(500))")
        #expect(result.output.contains(text))

        let refused = try await Self.run(workspace, [], ["direct-tcpip", "127.0.0.1", "\(freeLoopbackPort())"])
        #expect(refused.status == 72 && refused.output.contains("ERROR direct-tcpip"), "\(refused.output)")
    }

    @Test func remoteForwardCarriesEchoTraffic() async throws {
        let workspace = try await Self.startServer()
        defer { Task { await workspace.stop() } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let command = [
            try LibSSH2Client.binary(), "-p", "\(workspace.server.port)", "-i", workspace.keyPath,
            "tcpip-forward", "127.0.0.1", "127.0.0.1", "\(echo.port)",
        ]
        // Spawned by hand: PeerProcess would probe the port, and the probe would be the one
        // connection the client accepts.
        let directory = try Peers.temporaryDirectory("libssh2-forward")
        let logPath = directory.appendingPathComponent("client.log").path
        let pid = try PeerSpawn.spawn(command, output: .file(logPath))
        defer {
            PeerSpawn.stop(pid)
            try? FileManager.default.removeItem(at: directory)
        }
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        let printed = try await Peers.detached { PeerSpawn.printedPort(log: logPath, pid: pid) { Int($0) } }
        let port = try #require(printed, "\(log)")
        #expect(port != workspace.server.port && port != echo.port)
        let text = String(repeating: "via tcpip-forward ", count: 3000)
        let echoed = try await EchoServer.exchange(port: port, text)
        #expect(echoed.count == text.count && echoed == text, "\(echoed.count) of \(text.count): \(log)")
        // The client cancels the forwarding and exits once the connection is over.
        var running = true
        for _ in 0..<250 where running {
            running = PeerSpawn.isRunning(pid)
            if running { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(!running && log.contains("FORWARD-DONE from-server=54000 to-server=54000"), "\(log)")
        #expect(!log.contains("ERROR"), "\(log)")
    }
}
