import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import SSHAuth
import SSHClient
import SSHConnection
import SSHCrypto
import SSHTestSupport
import SSHTransport
import SSHWire
import Testing

/// SSHClient against OpenSSH's sshd: connect with host-key policies, run, forwardings,
/// ProxyCommand and ProxyJump.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"), .serialized)
struct SSHClientTests {
    struct Setup: Sendable {
        let server: OpenSSHServer
        let key: SSHPrivateKey
        let keyPath: String
        let directory: URL

        var strategy: AuthStrategy {
            var strategy = AuthStrategy()
            strategy.keys = [key]
            strategy.lookForKeys = false
            return strategy
        }

        func knownHosts(_ type: String = "ssh-ed25519") throws -> String {
            let blob = try server.hostKeyBlob(type)
            let line = "[127.0.0.1]:\(server.port) \(type) \(Data(blob).base64EncodedString())\n"
            let path = directory.appendingPathComponent("known_hosts").path
            try line.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }

        /// `ssh`'s arguments to log in to this server with the key, its host key taken unseen:
        /// `options` (ssh_config lines, as `-o` takes them) first, then the port and the destination.
        func loginFlags(_ options: [String] = [], quiet: Bool = false) -> [String] {
            ["-F", "none", "-i", keyPath, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"]
                + options.flatMap { ["-o", $0] } + (quiet ? ["-q"] : []) + ["-p", "\(server.port)", "\(NSUserName())@127.0.0.1"]
        }

        /// `sh -c 'ARGUMENTS >> log 2>&1'`: a process that goes to the background (`-f`, a master)
        /// keeps our standard output and error, as ssh's does, so they go to a file in the
        /// directory here, and nothing waits for them to close.
        func inShell(_ arguments: [String]) -> [String] {
            let log = directory.appendingPathComponent("background.log").path
            return ["/bin/sh", "-c", arguments.map { "'\($0)'" }.joined(separator: " ") + " >> \(log) 2>&1"]
        }

        func connect(policy: SSHHostKeyPolicy = .acceptAnythingInsecurely, configuration: SSHClientConfiguration = .init())
            async throws -> SSHClient
        {
            try await SSHClient.connect(
                host: "127.0.0.1", port: server.port, username: NSUserName(), authentication: strategy,
                hostKeyPolicy: policy, configuration: configuration)
        }
    }

    static func setUp(_ configuration: [String] = ["LogLevel ERROR"]) async throws -> Setup {
        let server = try await OpenSSHServer.start(configuration: configuration)
        let key = try SSHPrivateKey.generate(.ed25519)
        try server.authorize([key.publicKey.openSSHLine])
        let directory = try Peers.temporaryDirectory("paramiko-client")
        let keyPath = directory.appendingPathComponent("id_ed25519").path
        try key.write(to: keyPath)
        return Setup(server: server, key: key, keyPath: keyPath, directory: directory)
    }

    @Test func runCollectsStdoutStderrAndExitStatus() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        let client = try await setup.connect()
        let result = try await client.run("echo out; echo err >&2; exit 7")
        #expect(result.output == "out\n")
        #expect(result.errorOutput == "err\n")
        #expect(result.exitStatus == 7)
        // Both streams larger than the windows at once: drained concurrently, nothing stalls.
        let big = try await client.run("head -c 5000000 /dev/zero; head -c 5000000 /dev/zero >&2")
        #expect(big.stdout.count == 5_000_000 && big.stderr.count == 5_000_000)
        let echoed = try await client.run("cat", input: Array(repeating: 0x61, count: 1_000_000))
        #expect(echoed.stdout.count == 1_000_000)
        let signalled = try await client.run("kill -TERM $$")
        #expect(signalled.exitSignal?.signalName == "TERM")
        #expect(client.authenticationMethods == ["publickey"])
        // Loopback TCP: a round trip far under the 1 ms up to which channels keep part of a
        // window given back in small steps (sshd's) unsent.
        let roundTrip = try #require(await client.runtime.transportConnection.minimumRoundTrip())
        #expect(roundTrip > .zero && roundTrip < ChannelMultiplexer.Configuration().shortRoundTrip)
        await client.close()
    }

    /// IPQoS: the socket carries the interactive class for a terminal session and the bulk class
    /// otherwise, as ssh sets them.
    @Test func ipQoSMarksTheSocket() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        var configuration = SSHClientConfiguration()
        configuration.ipQoS = (interactive: 0x48, bulk: 0x20)
        let client = try await setup.connect(configuration: configuration)
        await client.markTraffic(interactive: true)
        #expect(await client.trafficClass() == 0x48)
        await client.markTraffic(interactive: false)
        #expect(await client.trafficClass() == 0x20)
        #expect(try await client.run("echo marked").output == "marked\n")
        await client.close()
    }

    /// The client tells what it does through its configuration's logger, in the steps and
    /// words `ssh -v` uses.
    @Test func theClientLogsWhatSshVerboseShows() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        let records = RecordingLogHandler.Records()
        var configuration = SSHClientConfiguration()
        configuration.logger = Logger(label: "test") { _ in RecordingLogHandler(records: records) }
        let client = try await setup.connect(configuration: configuration)
        _ = try await client.run("true")
        await client.close()
        let lines = records.lines
        let port = setup.server.port
        let hostKey = try #require(client.hostKey)
        for expected in [
            "debug Connecting to 127.0.0.1 port \(port).", "debug Connection established.",
            "debug kex: algorithm: \(client.negotiated.keyExchange.name)",
            "debug kex: host key algorithm: \(client.negotiated.hostKey)",
            "debug Server host key: \(hostKey.keyType) \(hostKey.fingerprint())",
            "debug Authenticating to 127.0.0.1:\(port) as '\(NSUserName())'",
            "debug Offering public key: ssh-ed25519 \(setup.key.publicKey.fingerprint())",
            "debug Authentication succeeded (publickey).",
            "info Authenticated to 127.0.0.1 ([127.0.0.1]:\(port)) using \"publickey\".",
            "debug Sending command: true",
        ] {
            #expect(lines.contains(expected), "\(expected) in \(lines)")
        }
        #expect(lines.contains { $0.hasPrefix("debug Remote protocol version 2.0, remote software version OpenSSH_") })
    }

    @Test func hostKeyPolicies() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        let empty = setup.directory.appendingPathComponent("empty_known_hosts").path
        // Unknown: refused by default.
        await #expect(throws: SSHClientError.self) {
            _ = try await setup.connect(policy: .knownHosts([empty]))
        }
        do {
            _ = try await setup.connect(policy: .knownHosts([empty]))
        } catch let error as SSHClientError {
            #expect(error.code == .hostKeyUnknown)
        }
        // Added to the file, then known.
        var configuration = SSHClientConfiguration()
        configuration.transport.algorithms.hostKey = ["ssh-ed25519"]
        let added = try await setup.connect(policy: .knownHosts([empty], unknown: .addToFile), configuration: configuration)
        await added.close()
        #expect(try String(contentsOfFile: empty, encoding: .utf8).contains("[127.0.0.1]:\(setup.server.port) ssh-ed25519"))
        let known = try await setup.connect(policy: .knownHosts([empty]), configuration: configuration)
        #expect(known.hostKey?.openSSHLine.hasPrefix("ssh-ed25519") == true)
        await known.close()
        // Changed: a different key recorded for the host is always an error with both fingerprints.
        let other = try SSHPrivateKey.generate(.ed25519).publicKey
        let changed = setup.directory.appendingPathComponent("changed").path
        try "[127.0.0.1]:\(setup.server.port) \(other.openSSHLine)\n".write(toFile: changed, atomically: true, encoding: .utf8)
        do {
            _ = try await setup.connect(policy: .knownHosts([changed], unknown: .addToFile), configuration: configuration)
            Issue.record("a changed host key was accepted")
        } catch let error as SSHClientError {
            #expect(error.code == .hostKeyChanged)
            #expect(error.detail.contains(other.fingerprint()))
        }
    }

    @Test func connectionErrorsSayWhatFailed() async throws {
        let closedPort = freeLoopbackPort()
        do {
            _ = try await SSHClient.connect(
                host: "127.0.0.1", port: closedPort, username: "nobody", authentication: AuthStrategy(),
                hostKeyPolicy: .acceptAnythingInsecurely)
            Issue.record("connected to a closed port")
        } catch let error as SSHClientError {
            #expect(error.code == .connectionFailed)
            #expect(error.detail.contains("refused"))
        }
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.keys = [try SSHPrivateKey.generate(.ed25519)]
        do {
            _ = try await SSHClient.connect(
                host: "127.0.0.1", port: setup.server.port, username: NSUserName(), authentication: strategy,
                hostKeyPolicy: .acceptAnythingInsecurely)
            Issue.record("an unauthorized key logged in")
        } catch let error as SSHClientError {
            #expect(error.code == .authenticationFailed)
        }
    }

    @Test func localAndRemoteForwardingCarryTraffic() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let client = try await setup.connect()
        let listener = try await client.forwardLocal(listen: .tcp(host: "127.0.0.1", port: 0), to: "127.0.0.1", port: echo.port)
        let localPort = listener.localAddress?.port ?? 0
        let local = try await Peers.runDetached([Peers.executable("python3") ?? "python3", "-c", Self.talk(port: localPort, text: "through -L")])
        #expect(local.output == "through -L\n")
        // -R with port 0: the server picks the port and says which.
        let bound = try await client.forwardRemote(address: "127.0.0.1", port: 0, to: .tcp(host: "127.0.0.1", port: echo.port))
        #expect(bound > 0)
        let remote = try await client.run("python3 -c \"\(Self.talk(port: bound, text: "through -R"))\"")
        #expect(remote.output == "through -R\n")
        try await client.cancelRemoteForward(address: "127.0.0.1", port: bound)
        await client.close()
    }

    @Test func proxyCommandAndProxyJump() async throws {
        let setup = try await Self.setUp()
        defer { setup.server.stop() }
        var configuration = SSHClientConfiguration()
        configuration.proxyCommand =
            "ssh -F /dev/null -i \(setup.keyPath) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -p \(setup.server.port) -W 127.0.0.1:\(setup.server.port) \(NSUserName())@127.0.0.1"
        let proxied = try await setup.connect(configuration: configuration)
        #expect(try await proxied.run("echo proxied").output == "proxied\n")
        // Over a pipe the round trip is unknown: the whole of sshd's window may go.
        #expect(await proxied.runtime.transportConnection.minimumRoundTrip() == nil)
        await proxied.close()
        // Two hops through the same sshd, each a direct-tcpip channel of the one before.
        var jump = SSHClientConfiguration()
        jump.proxyJump = [
            SSHProxyHop(host: "127.0.0.1", port: setup.server.port), SSHProxyHop(host: "127.0.0.1", port: setup.server.port),
        ]
        let jumped = try await setup.connect(configuration: jump)
        #expect(try await jumped.run("echo jumped").output == "jumped\n")
        await jumped.close()
    }

    static func talk(port: Int, text: String) -> String {
        "import socket; s=socket.create_connection(('127.0.0.1', \(port))); s.sendall(b'\(text)'); s.shutdown(socket.SHUT_WR); d=b''\nwhile True:\n  c=s.recv(100)\n  if not c: break\n  d+=c\nprint(d.decode())"
    }
}

/// `paramiko ssh` and OpenSSH's `ssh` with the same flags give the same output and exit status.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"), .serialized)
struct ParamikoSSHCommandTests {
    @Test func sameOutputAndStatusAsOpenSSH() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let flags = setup.loginFlags(["LogLevel=ERROR"], quiet: true)
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        for command in [
            "echo one; echo two >&2; exit 3", "printf 'a\\nb'", "exit 0", "head -c 100000 /dev/zero | wc -c",
            "echo before; kill -TERM $$",
        ] {
            let ours = try await Peers.runDetached([paramiko, "ssh"] + flags + [command])
            let theirs = try await Peers.runDetached([ssh] + flags + [command])
            #expect(ours.status == theirs.status, "\(command)")
            #expect(ours.output == theirs.output, "\(command)")
        }
        // ssh's notices at its default level, word for word (ports, and the carriage returns ssh's
        // log puts before each newline, aside): a key "added" to /dev/null with its type, and the port
        // a `-R 0` got; at LogLevel ERROR, neither.
        let port = try NSRegularExpression(pattern: "[0-9]{4,5}")
        func masked(_ text: String) -> String {
            let text = text.replacingOccurrences(of: "\r", with: "")
            return port.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "N")
        }
        for level in ["INFO", "ERROR"] {
            let noticed = ["-R", "0:127.0.0.1:9"] + setup.loginFlags(["LogLevel=\(level)"]) + ["true"]
            let ours = try await Peers.runDetached([paramiko, "ssh"] + noticed)
            let theirs = try await Peers.runDetached([ssh] + noticed)
            #expect(masked(ours.output) == masked(theirs.output), "\(level): \(ours.output) | \(theirs.output)")
            #expect(ours.output.contains("Allocated port") == (level == "INFO"), "\(level)")
        }
        // Standard input reaches the command.
        let input = Data(repeating: 0x62, count: 200_000)
        let ours = try await Peers.runDetached([paramiko, "ssh"] + flags + ["wc -c"], input: input)
        #expect(ours.output.trimmingCharacters(in: .whitespacesAndNewlines) == "200000")
        // Connection failures exit 255 as ssh's do.
        let refused = try await Peers.runDetached(
            [paramiko, "ssh", "-F", "none", "-o", "BatchMode=yes", "-p", "\(freeLoopbackPort())", "127.0.0.1", "true"])
        #expect(refused.status == 255)
    }

    /// `-v` and LogLevel say what ssh says at those levels: nothing at the default, the VERBOSE
    /// line word for word, and ssh's debug1 lines for the steps both take.
    @Test func verboseOutputSpeaksAsSsh() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let flags = setup.loginFlags()
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        let plain = try await Peers.runDetached([paramiko, "ssh"] + flags + ["true"])
        #expect(plain.status == 0)
        #expect(!plain.output.contains("debug1:") && !plain.output.contains("Authenticated to"), "\(plain.output)")
        func authenticated(_ output: String) -> [Substring] {
            output.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Authenticated to") }
        }
        let ours = try await Peers.runDetached([paramiko, "ssh", "-o", "LogLevel=VERBOSE"] + flags + ["true"])
        let theirs = try await Peers.runDetached([ssh, "-o", "LogLevel=VERBOSE"] + flags + ["true"])
        #expect(!authenticated(ours.output).isEmpty)
        #expect(authenticated(ours.output) == authenticated(theirs.output), "\(ours.output)")
        #expect(!ours.output.contains("debug1:"))
        // VisualHostKey: the server's key drawn as ssh draws it.
        func drawing(_ output: String) -> [Substring] {
            let lines = output.split(whereSeparator: \.isNewline)
            guard let start = lines.firstIndex(where: { $0.hasPrefix("Host key fingerprint is") }) else { return [] }
            return Array(lines[start..<min(start + 12, lines.count)])
        }
        // ssh draws a key it knows: record it first.
        let knownHosts = setup.directory.appendingPathComponent("known_hosts").path
        let known = ["-o", "UserKnownHostsFile=\(knownHosts)", "-o", "StrictHostKeyChecking=accept-new"]
        _ = try await Peers.runDetached([paramiko, "ssh"] + known + flags + ["true"])
        let drawnOurs = try await Peers.runDetached([paramiko, "ssh", "-o", "VisualHostKey=yes"] + known + flags + ["true"])
        let drawnTheirs = try await Peers.runDetached([ssh, "-o", "VisualHostKey=yes"] + known + flags + ["true"])
        #expect(drawing(drawnOurs.output).count == 12 && drawing(drawnOurs.output).last?.hasSuffix("[SHA256]-----+") == true)
        #expect(drawing(drawnOurs.output) == drawing(drawnTheirs.output), "\(drawnOurs.output)")
        // -E: the log goes to the file, not to standard error.
        let logFile = setup.directory.appendingPathComponent("ssh.log").path
        let logged = try await Peers.runDetached([paramiko, "ssh", "-v", "-E", logFile] + flags + ["true"])
        #expect(logged.status == 0 && !logged.output.contains("debug1:"))
        #expect(try String(contentsOfFile: logFile, encoding: .utf8).contains("debug1: Connection established.\r\n"))
        let debugOurs = try await Peers.runDetached([paramiko, "ssh", "-v"] + flags + ["exit 5"])
        let debugTheirs = try await Peers.runDetached([ssh, "-v"] + flags + ["exit 5"])
        #expect(debugOurs.status == 5)
        for line in [
            "debug1: Connection established.", "debug1: Next authentication method: publickey",
            "debug1: Sending command: exit 5", "debug1: Exit status 5",
        ] {
            #expect(debugOurs.output.contains(line + "\r\n"), "\(line) in \(debugOurs.output)")
            #expect(debugTheirs.output.contains(line + "\r\n"), "\(line) from ssh")
        }
    }

    /// OpenSSH's own tools run over `paramiko ssh` as they run over ssh: sftp and scp (`-S`), which
    /// pass `-s`, `-l`, `--` and `-oName value` options, and ssh with `paramiko ssh -W` as its
    /// ProxyCommand.
    @Test func openSSHToolsRunOverParamikoSSH() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let directory = setup.directory
        let wrapper = directory.appendingPathComponent("paramiko-ssh").path
        try "#!/bin/sh\nexec '\(try Peers.paramiko())' ssh \"$@\"\n".write(toFile: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper, 0o755)
        let source = directory.appendingPathComponent("source").path
        let payload = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try payload.write(to: URL(fileURLWithPath: source))
        let common = [
            "-i", setup.keyPath, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", "-P", "\(setup.server.port)",
        ]
        let remote = "\(NSUserName())@127.0.0.1"
        // sftp: a batch that puts, lists and gets back.
        let batch = directory.appendingPathComponent("batch").path
        let viaSFTP = directory.appendingPathComponent("via-sftp").path
        let back = directory.appendingPathComponent("back").path
        try "put \(source) \(viaSFTP)\nls -l \(viaSFTP)\nget \(viaSFTP) \(back)\n".write(
            toFile: batch, atomically: true, encoding: .utf8)
        let sftp = try await Peers.runDetached(
            [Peers.executable("sftp") ?? "sftp", "-S", wrapper, "-b", batch] + common + [remote])
        #expect(sftp.status == 0, "\(sftp.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: back)) == payload)
        // scp, in its SFTP mode and in the original one (-O).
        for (flag, name) in [("-s", "via-scp"), ("-O", "via-scp-legacy")] {
            let target = directory.appendingPathComponent(name).path
            let scp = try await Peers.runDetached(
                [Peers.executable("scp") ?? "scp", flag, "-S", wrapper] + common + [source, "\(remote):\(target)"])
            #expect(scp.status == 0, "\(flag): \(scp.output)")
            #expect((try? Data(contentsOf: URL(fileURLWithPath: target))) == payload, "\(flag)")
        }
        // ssh through `paramiko ssh -W`: sshd itself is the jump host.
        let proxy = "\(wrapper) -F none -i \(setup.keyPath) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            + "-o LogLevel=ERROR -p \(setup.server.port) -W %h:%p \(remote)"
        let ssh = try await Peers.runDetached([
            Peers.executable("ssh") ?? "ssh", "-F", "none", "-o", "ProxyCommand=\(proxy)", "-i", setup.keyPath,
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-p", "\(setup.server.port)", remote, "echo through -W",
        ])
        #expect(ssh.status == 0 && ssh.output.contains("through -W"), "\(ssh.output)")
    }

    /// rsync runs over `paramiko ssh` both ways: it hands its remote shell a non-blocking standard
    /// output, which is written as it drains. Standard input and output that are both
    /// non-blocking sockets, read slowly, carry 6 MiB through `cat` whole.
    @Test(.enabled(if: Peers.available("rsync"), "rsync is not installed"))
    func rsyncAndNonBlockingDescriptors() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let directory = setup.directory
        let paramiko = try Peers.paramiko()
        let shell = "'\(paramiko)' ssh -F none -i '\(setup.keyPath)' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
            + "-o LogLevel=ERROR -p \(setup.server.port)"
        let tree = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        var generator = SeededRandom(seed: 17)
        let big = Data((0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try big.write(to: tree.appendingPathComponent("big"))
        try Data("small\n".utf8).write(to: tree.appendingPathComponent("sub/small"))
        let rsync = try #require(Peers.executable("rsync"))
        let remote = "\(NSUserName())@127.0.0.1"
        let up = try await Peers.runDetached([rsync, "-a", "-e", shell, tree.path + "/", "\(remote):\(directory.path)/up/"])
        #expect(up.status == 0, "\(up.output)")
        #expect(try Data(contentsOf: directory.appendingPathComponent("up/big")) == big)
        let down = try await Peers.runDetached([rsync, "-a", "-e", shell, "\(remote):\(directory.path)/up/", directory.path + "/down/"])
        #expect(down.status == 0, "\(down.output)")
        #expect(try Data(contentsOf: directory.appendingPathComponent("down/big")) == big)
        #expect(try String(contentsOf: directory.appendingPathComponent("down/sub/small"), encoding: .utf8) == "small\n")

        let script = """
            import os, socket, subprocess, sys, time
            ours, theirs = socket.socketpair()
            theirs.setblocking(False)
            data = os.urandom(6 << 20)
            child = subprocess.Popen(sys.argv[1:], stdin=theirs, stdout=theirs)
            theirs.close()
            sent, received = 0, bytearray()
            ours.setblocking(False)
            while len(received) < len(data):
                if sent < len(data):
                    try: sent += ours.send(data[sent:sent + 65536])
                    except BlockingIOError: pass
                    if sent == len(data): ours.shutdown(socket.SHUT_WR)
                time.sleep(0.002)
                try:
                    chunk = ours.recv(16384)
                    if not chunk: break
                    received += chunk
                except BlockingIOError: pass
            print("SAME", bytes(received) == data, "STATUS", child.wait())
            """
        let python = try #require(Peers.executable("python3"))
        let echoed = try await Peers.runDetached(
            [python, "-c", script, paramiko, "ssh", "-F", "none", "-i", setup.keyPath, "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-p", "\(setup.server.port)", remote, "cat"],
            timeout: 120)
        #expect(echoed.output.contains("SAME True STATUS 0"), "\(echoed.output)")
    }

    /// A forwarding that cannot listen is warned about and the session goes on, as ssh does;
    /// with ExitOnForwardFailure it ends with status 255.
    @Test func forwardFailureWarnsUnlessExitOnForwardFailure() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        // sshd's own port is taken.
        let login = setup.loginFlags(["LogLevel=ERROR", "LocalForward \(setup.server.port) 127.0.0.1:9"])
        let warned = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo went on"])
        #expect(warned.status == 0)
        #expect(warned.output.contains("went on") && warned.output.contains("Could not request local forwarding"))
        let ended = try await Peers.runDetached([paramiko, "ssh", "-o", "ExitOnForwardFailure=yes"] + login + ["echo went on"])
        #expect(ended.status == 255)
        #expect(!ended.output.contains("went on"))
    }

    /// `-f` goes to the background once authenticated: the command runs on after we return, and
    /// `-f -N -L` leaves a tunnel behind, as ssh does; without a command it is refused.
    @Test func backgroundAfterAuthentication() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let paramiko = try Peers.paramiko()
        let login = setup.loginFlags(["LogLevel=ERROR"])
        let marker = setup.directory.appendingPathComponent("background").path
        let started = try await Peers.runDetached(setup.inShell([paramiko, "ssh", "-f"] + login + ["sleep 1; echo later > \(marker)"]))
        #expect(started.status == 0)
        #expect(!FileManager.default.fileExists(atPath: marker))
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "later\n")

        let port = freeLoopbackPort()
        let tunnel = try await Peers.runDetached(setup.inShell([paramiko, "ssh", "-fN", "-L", "\(port):127.0.0.1:\(echo.port)"] + login))
        #expect(tunnel.status == 0)
        defer { _ = try? Peers.run([Peers.executable("pkill") ?? "pkill", "-f", "--", "-L \(port):127.0.0.1"]) }
        let script = """
            import socket
            s = socket.create_connection(("127.0.0.1", \(port)))
            s.sendall(b"tunnel"); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())
            """
        let through = try await Peers.runDetached([Peers.executable("python3") ?? "python3", "-c", script])
        #expect(through.output == "tunnel\n")
        let refused = try await Peers.runDetached([paramiko, "ssh", "-f"] + login)
        #expect(refused.status == 255 && refused.output.contains("Cannot fork into background without a command"))
    }

    /// `paramiko ssh -i key.ppk`: PuTTY keys made by puttygen log in to sshd, an encrypted one once
    /// its passphrase is given, the public key offered from the file before it is asked for.
    @Test(.enabled(if: Peers.available("puttygen"), "puttygen (putty-tools) is not installed"))
    func puttyKeyFilesLogIn() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let directory = setup.directory
        let puttygen = try #require(Peers.executable("puttygen"))
        let passphraseFile = directory.appendingPathComponent("passphrase").path
        try "ppk phrase\n".write(toFile: passphraseFile, atomically: true, encoding: .utf8)
        let plain = directory.appendingPathComponent("plain.ppk").path
        let locked = directory.appendingPathComponent("locked.ppk").path
        var authorized: [String] = []
        for (path, arguments) in [
            (plain, ["-t", "ed25519", "--new-passphrase", "/dev/null"]),
            (locked, ["-t", "ecdsa", "--new-passphrase", passphraseFile, "--ppk-param", "passes=2"]),
        ] {
            let made = try await Peers.runDetached([puttygen] + arguments + ["-o", path])
            #expect(made.status == 0, "\(made.output)")
            let line = try await Peers.runDetached([puttygen, path, "-L"])
            authorized.append(line.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        try setup.server.authorize(authorized)
        let askPass = directory.appendingPathComponent("askpass").path
        try "#!/bin/sh\necho 'ppk phrase'\n".write(toFile: askPass, atomically: true, encoding: .utf8)
        chmod(askPass, 0o755)
        let paramiko = try Peers.paramiko()
        for path in [plain, locked] {
            let login = [
                "-F", "none", "-i", path, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no", "-p", "\(setup.server.port)", "\(NSUserName())@127.0.0.1",
            ]
            let opened = try await Peers.runDetached(
                [paramiko, "ssh"] + login + ["echo opened"],
                environment: ["SSH_ASKPASS": askPass, "SSH_ASKPASS_REQUIRE": "force"])
            #expect(opened.status == 0 && opened.output.contains("opened"), "\(path): \(opened.output)")
        }
    }

    /// What ssh asks its user, asked as ssh asks it: an encrypted key's passphrase once sshd would
    /// take the key (through SSH_ASKPASS, and typed on a terminal), up to NumberOfPasswordPrompts
    /// times, then the password; PreferredAuthentications orders the methods; BatchMode asks nothing.
    @Test func passphrasesAndPasswordsAreAskedAsSshAsks() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let directory = setup.directory
        let keyPath = directory.appendingPathComponent("encrypted").path
        let key = try SSHPrivateKey.generate(.ed25519)
        try key.write(to: keyPath, passphrase: "right phrase")
        try setup.server.authorize([key.publicKey.openSSHLine])
        let log = directory.appendingPathComponent("asked").path
        func askPass(_ answer: String) throws -> String {
            let path = directory.appendingPathComponent("askpass-\(answer.count)").path
            try "#!/bin/sh\necho \"$1\" >> '\(log)'\necho '\(answer)'\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
            return path
        }
        func asked() -> [String] {
            defer { try? FileManager.default.removeItem(atPath: log) }
            return ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        let paramiko = try Peers.paramiko()
        let login = [
            "-F", "none", "-i", keyPath, "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "KbdInteractiveAuthentication=no",
            "-p", "\(setup.server.port)", "\(NSUserName())@127.0.0.1",
        ]
        let passphrase = "Enter passphrase for key '\(keyPath)': "
        let password = "\(NSUserName())@127.0.0.1's password: "
        let right = ["SSH_ASKPASS": try askPass("right phrase"), "SSH_ASKPASS_REQUIRE": "force"]
        let opened = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo opened"], environment: right)
        #expect(opened.status == 0 && opened.output.contains("opened"), "\(opened.output)")
        #expect(asked() == [passphrase])
        let wrong = ["SSH_ASKPASS": try askPass("wrong"), "SSH_ASKPASS_REQUIRE": "force"]
        let refused = try await Peers.runDetached([paramiko, "ssh"] + login + ["true"], environment: wrong)
        #expect(refused.status == 255)
        #expect(asked() == Array(repeating: passphrase, count: 3) + Array(repeating: password, count: 3))
        let passwordFirst = try await Peers.runDetached(
            [paramiko, "ssh", "-o", "PreferredAuthentications=password,publickey", "-o", "NumberOfPasswordPrompts=1"]
                + login + ["echo second"], environment: right)
        #expect(passwordFirst.status == 0 && passwordFirst.output.contains("second"))
        #expect(asked() == [password, passphrase])
        let batch = try await Peers.runDetached([paramiko, "ssh", "-o", "BatchMode=yes"] + login + ["true"], environment: right)
        #expect(batch.status == 255)
        #expect(asked().isEmpty)
        // AddKeysToAgent: the key, once decrypted and used, goes to the agent; the next login needs no passphrase.
        if let sshAgent = Peers.executable("ssh-agent"), let sshAdd = Peers.executable("ssh-add") {
            let socket = directory.appendingPathComponent("agent.sock").path
            let agent = try PeerSpawn.spawn(
                [sshAgent, "-D", "-a", socket], output: .file(directory.appendingPathComponent("agent.log").path))
            defer { PeerSpawn.stop(agent) }
            for _ in 0..<250 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
            var withAgent = right
            withAgent["SSH_AUTH_SOCK"] = socket
            let added = try await Peers.runDetached(
                [paramiko, "ssh", "-o", "AddKeysToAgent=yes"] + login + ["echo added"], environment: withAgent)
            #expect(added.status == 0 && added.output.contains("added"), "\(added.output)")
            #expect(asked() == [passphrase])
            let listed = try await Peers.runDetached([sshAdd, "-l"], environment: ["SSH_AUTH_SOCK": socket])
            #expect(listed.output.contains(key.publicKey.fingerprint()) && listed.output.contains(keyPath), "\(listed.output)")
            let fromAgent = try await Peers.runDetached(
                [paramiko, "ssh", "-o", "IdentitiesOnly=no", "-o", "PreferredAuthentications=publickey"]
                    + login.filter { $0 != keyPath && $0 != "-i" } + ["echo agent"], environment: withAgent)
            #expect(fromAgent.status == 0 && fromAgent.output.contains("agent"), "\(fromAgent.output)")
            #expect(asked().isEmpty)
        }
        guard Peers.available("tmux") else { return }
        let marker = directory.appendingPathComponent("typed").path
        let command = ([paramiko, "ssh"] + login + ["echo typed-in"]).map { "'\($0)'" }.joined(separator: " ")
        let tmux = try TmuxSession.start(["/bin/sh", "-c", "SSH_ASKPASS_REQUIRE=never " + command + " > \(marker); sleep 30"])
        defer { tmux.stop() }
        #expect(try await tmux.waitFor("Enter passphrase for key"), "\((try? tmux.screen()) ?? "")")
        try tmux.send("right phrase", "Enter")
        for _ in 0..<100 where ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "typed-in\n")
        // The passphrase was not shown as it was typed.
        #expect(!(try tmux.screen()).contains("right phrase"))
    }

    /// StrictHostKeyChecking ask, ssh's default: a new host key is asked about (on the terminal,
    /// as a person answers it), recorded once accepted, and refused where nobody can be asked.
    @Test func newHostKeysAreAskedAbout() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let knownHosts = setup.directory.appendingPathComponent("known_hosts").path
        let paramiko = try Peers.paramiko()
        let login = [
            "-F", "none", "-i", setup.keyPath, "-o", "UserKnownHostsFile=\(knownHosts)", "-o", "GlobalKnownHostsFile=/dev/null",
            "-p", "\(setup.server.port)", "\(NSUserName())@127.0.0.1",
        ]
        // Without a controlling terminal (setsid), as under CI, whatever terminal runs the tests.
        let setsid = Peers.executable("setsid").map { [$0, "--wait"] } ?? []
        let unasked = try await Peers.runDetached(
            setsid + [paramiko, "ssh"] + login + ["echo in"], environment: ["SSH_ASKPASS_REQUIRE": "never"])
        #expect(unasked.status == 255 && unasked.output.contains("Host key verification failed."), "\(unasked.output)")
        #expect(!FileManager.default.fileExists(atPath: knownHosts))
        guard Peers.available("tmux") else { return }
        let marker = setup.directory.appendingPathComponent("answered").path
        let command = ([paramiko, "ssh"] + login + ["echo in"]).map { "'\($0)'" }.joined(separator: " ")
        let tmux = try TmuxSession.start(["/bin/sh", "-c", command + " > \(marker); sleep 30"])
        defer { tmux.stop() }
        #expect(try await tmux.waitFor("Are you sure you want to continue connecting (yes/no/[fingerprint])?"))
        #expect(try await tmux.waitFor("key fingerprint is SHA256:"))
        // As ssh: the host, then the address connected to.
        let name = "[127.0.0.1]:\(setup.server.port)"
        #expect(try await tmux.waitFor("The authenticity of host '\(name) (\(name))' can't be established."))
        try tmux.send("perhaps", "Enter")
        #expect(try await tmux.waitFor("Please type 'yes', 'no' or the fingerprint:"))
        try tmux.send("yes", "Enter")
        for _ in 0..<100 where ((try? String(contentsOfFile: marker, encoding: .utf8)) ?? "").isEmpty {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "in\n")
        #expect(try await tmux.waitFor("Warning: Permanently added '[127.0.0.1]:\(setup.server.port)'"))
        // Recorded: the next connection asks nothing.
        let known = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo again"], environment: ["SSH_ASKPASS_REQUIRE": "never"])
        #expect(known.status == 0 && known.output.contains("again"), "\(known.output)")
    }

    /// LocalCommand runs here once connected, when PermitLocalCommand allows it, with its tokens
    /// expanded; ConnectionAttempts tries a refused connection again.
    @Test func localCommandAndConnectionAttempts() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        let login = setup.loginFlags(["LogLevel=ERROR", "LocalCommand=echo local %r@%h:%p"])
        let permitted = try await Peers.runDetached([paramiko, "ssh", "-o", "PermitLocalCommand=yes"] + login + ["echo remote"])
        #expect(permitted.output.contains("local \(NSUserName())@127.0.0.1:\(setup.server.port)\n"), "\(permitted.output)")
        #expect(permitted.output.contains("remote\n"))
        let refused = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo remote"])
        #expect(!refused.output.contains("local ") && refused.output.contains("remote\n"))
        let again = try await Peers.runDetached(
            [paramiko, "ssh", "-v", "-o", "ConnectionAttempts=2", "-p", "\(freeLoopbackPort())", "127.0.0.1", "true"])
        #expect(again.status == 255)
        #expect(again.output.contains("trying again (attempt 2 of 2)"), "\(again.output)")
    }

    /// The flags that print and exit, and `-n`.
    @Test func queryVersionConfigurationAndNullInput() async throws {
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        let flags = [
            "-G", "-F", "none", "-p2222", "-lbob", "-c", "aes128-ctr", "-m", "hmac-sha2-256", "-4", "-a", "-B", "lo",
            "-oCompression yes", "host",
        ]
        let ours = try await Peers.runDetached([paramiko, "ssh"] + flags)
        let theirs = try await Peers.runDetached([ssh] + flags)
        #expect(ours.status == 0)
        let keys = ["user", "port", "ciphers", "macs", "addressfamily", "forwardagent", "compression", "bindinterface"]
        func pick(_ output: String) -> [Substring] {
            output.split(separator: "\n").filter { line in keys.contains { line.hasPrefix($0 + " ") } }
        }
        #expect(pick(ours.output).count == keys.count)
        #expect(pick(ours.output) == pick(theirs.output))
        let kex = try await Peers.runDetached([paramiko, "ssh", "-Q", "kex"])
        #expect(kex.status == 0 && kex.output.split(separator: "\n").contains("curve25519-sha256"))
        #expect(try await Peers.runDetached([paramiko, "ssh", "-Q", "nonsense"]).status == 255)
        let version = try await Peers.runDetached([paramiko, "ssh", "-V"])
        #expect(version.status == 0 && version.output.contains("OpenSSL"))

        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let login = setup.loginFlags(quiet: true)
        let withInput = try await Peers.runDetached([paramiko, "ssh"] + login + ["wc -c"], input: Data(count: 1000))
        #expect(withInput.output.trimmingCharacters(in: .whitespacesAndNewlines) == "1000")
        let nullInput = try await Peers.runDetached([paramiko, "ssh", "-n"] + login + ["wc -c"], input: Data(count: 1000))
        #expect(nullInput.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        // -4 and -b: an IPv4 address, connected from the address named.
        let bound = try await Peers.runDetached([paramiko, "ssh", "-4", "-b", "127.0.0.1"] + login + ["echo $SSH_CLIENT"])
        #expect(bound.status == 0 && bound.output.hasPrefix("127.0.0.1 "), "\(bound.output)")
        let named = try await Peers.runDetached([paramiko, "ssh", "-b", "localhost"] + login + ["echo $SSH_CLIENT"])
        #expect(named.status == 0 && named.output.hasPrefix("127.0.0.1 "), "\(named.output)")
        // An address this host does not have (TEST-NET-1) cannot be bound.
        let badBind = try await Peers.runDetached([paramiko, "ssh", "-b", "192.0.2.77"] + login + ["true"])
        #expect(badBind.status == 255 && badBind.output.contains("Cannot assign requested address"), "\(badBind.output)")
        // -B: from the loopback interface's address; an interface without one fails as ssh's does.
        let onLoopback = try await Peers.runDetached([paramiko, "ssh", "-B", "lo"] + login + ["echo $SSH_CLIENT"])
        #expect(onLoopback.status == 0 && onLoopback.output.hasPrefix("127.0.0.1 "), "\(onLoopback.output)")
        let noInterface = try await Peers.runDetached([paramiko, "ssh", "-B", "nosuch0"] + login + ["true"])
        #expect(noInterface.status == 255 && noInterface.output.contains("getifaddrs: nosuch0: no suitable addresses"),
                "\(noInterface.output)")
    }

    @Test func certificateFileLogsInThroughTrustedUserCAKeys() async throws {
        let directory = try Peers.temporaryDirectory("certificate-file")
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = try SSHPrivateKey.generate(.ed25519)
        let caPath = directory.appendingPathComponent("ca.pub").path
        try (authority.publicKey.openSSHLine + "\n").write(toFile: caPath, atomically: true, encoding: .utf8)
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "TrustedUserCAKeys \(caPath)"])
        defer { setup.server.stop() }
        // A key sshd does not list, with a certificate kept apart from it.
        let key = try SSHPrivateKey.generate(.ecdsaP256)
        let keyPath = directory.appendingPathComponent("unlisted").path
        try key.write(to: keyPath)
        let certificate = try authority.certify(
            key.publicKey, SSHCertificateRequest(kind: .user, keyID: "cert-file", principals: [NSUserName()]))
        let certificatePath = directory.appendingPathComponent("issued-cert.pub").path
        try (certificate.openSSHLine + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)
        let base = [
            try Peers.paramiko(), "ssh", "-F", "none", "-q", "-i", keyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-p", "\(setup.server.port)",
        ]
        let without = try await Peers.runDetached(base + ["\(NSUserName())@127.0.0.1", "echo in"])
        #expect(without.status == 255)
        let with = try await Peers.runDetached(base + ["-o", "CertificateFile=\(certificatePath)", "\(NSUserName())@127.0.0.1", "echo in"])
        #expect(with.output == "in\n", "\(with.output)")
    }

    @Test func bannerGoesToStandardError() async throws {
        let directory = try Peers.temporaryDirectory("banner")
        defer { try? FileManager.default.removeItem(at: directory) }
        let banner = directory.appendingPathComponent("banner").path
        try "Authorised use only.\n".write(toFile: banner, atomically: true, encoding: .utf8)
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "Banner \(banner)"])
        defer { setup.server.stop() }
        let command = ([try Peers.paramiko(), "ssh"] + setup.loginFlags() + ["echo in"]).map { "'\($0)'" }.joined(separator: " ")
        let both = try await Peers.runDetached(["/bin/sh", "-c", command])
        #expect(both.output.contains("Authorised use only."))
        let stdoutOnly = try await Peers.runDetached(["/bin/sh", "-c", command + " 2>/dev/null"])
        #expect(stdoutOnly.output == "in\n")
        let quiet = try await Peers.runDetached(["/bin/sh", "-c", command.replacingOccurrences(of: "'ssh'", with: "'ssh' '-q'")])
        #expect(!quiet.output.contains("Authorised"))
    }

    /// `-J` on the command line, through one jump host and through two, to the same sshd under
    /// another name: the jump hosts are resolved from the file as ssh's own jump ssh resolves them,
    /// without the `-J` read again for the jump host itself, and the output is ssh's.
    @Test func jumpHostsFromTheCommandLine() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let config = setup.directory.appendingPathComponent("config").path
        try """
            Host *
              IdentityFile \(setup.keyPath)
              IdentitiesOnly yes
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              LogLevel ERROR

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let paramiko = try Peers.paramiko()
        let ssh = try #require(Peers.executable("ssh"))
        let user = NSUserName()
        let hop = "\(user)@127.0.0.1:\(setup.server.port)"
        for jump in [hop, "\(user)@localhost:\(setup.server.port),\(hop)"] {
            let flags = ["-F", config, "-J", jump, "-p", "\(setup.server.port)", "\(user)@localhost", "echo jumped-$USER"]
            let ours = try await Peers.runDetached([paramiko, "ssh"] + flags)
            let theirs = try await Peers.runDetached([ssh] + flags)
            #expect(ours.status == 0, "\(jump): \(ours.output)")
            #expect(ours.output == "jumped-\(user)\n", "\(jump): \(ours.output)")
            #expect(ours.output == theirs.output, "\(jump)")
        }
    }

    @Test func sshConfigDecidesWhereAndHow() async throws {
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "AcceptEnv PARAMIKO_*"])
        defer { setup.server.stop() }
        let config = setup.directory.appendingPathComponent("config").path
        try """
            Host alias
              HostName 127.0.0.1
              Port \(setup.server.port)
              User \(NSUserName())
              IdentityFile \(setup.keyPath)
              IdentitiesOnly yes
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              LogLevel ERROR
              SendEnv PARAMIKO_*
            Host hopped
              HostName 127.0.0.1
              ProxyJump alias
            Host hopped
              Port \(setup.server.port)
              IdentityFile \(setup.keyPath)
              IdentitiesOnly yes
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              LogLevel ERROR
            Host proxied
              HostName 127.0.0.1
              ProxyCommand ssh -F \(config) -W %h:%p alias
              Port \(setup.server.port)
              IdentityFile \(setup.keyPath)
              StrictHostKeyChecking no
              UserKnownHostsFile /dev/null
              LogLevel ERROR

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        let environment = ["PARAMIKO_FLAVOUR": "mint"]
        for host in ["alias", "hopped", "proxied"] {
            let command = "echo $PARAMIKO_FLAVOUR-$USER"
            let ours = try await Peers.runDetached([paramiko, "ssh", "-F", config, host, command], environment: environment)
            let theirs = try await Peers.runDetached([ssh, "-F", config, host, command], environment: environment)
            #expect(ours.status == 0, "\(host): \(ours.output)")
            #expect(ours.output == theirs.output, "\(host)")
        }
    }

    @Test(.enabled(if: Peers.available("tmux"), "tmux is not installed"))
    func interactiveShellUnderTmux() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let marker = setup.directory.appendingPathComponent("exited").path
        let flags = setup.loginFlags(quiet: true)
        let command = ([try Peers.paramiko(), "ssh"] + flags).map { "'\($0)'" }.joined(separator: " ")
        let tmux = try TmuxSession.start(["/bin/sh", "-c", command + "; echo $? > \(marker)"], columns: 91, rows: 26)
        defer { tmux.stop() }
        try tmux.send("stty size; echo sum=$((6*7))", "Enter")
        let screen = (try? tmux.screen()) ?? ""
        #expect(try await tmux.waitFor("sum=42"), "\(screen)")
        #expect(try await tmux.waitFor("26 91"))
        try tmux.send("exit 4", "Enter")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "4\n")
    }

    /// The escape sequences typed the way a person would: `~?`, `~#`, `~v`, `~B`, a forwarding
    /// added and cancelled at `~C`'s prompt, and `~.`, which ends the session with status 255.
    @Test(.enabled(if: Peers.available("tmux"), "tmux is not installed"))
    func escapeSequencesUnderTmux() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let marker = setup.directory.appendingPathComponent("exited").path
        let flags = setup.loginFlags(["EnableEscapeCommandline=yes"])
        let command = ([try Peers.paramiko(), "ssh"] + flags).map { "'\($0)'" }.joined(separator: " ")
        let tmux = try TmuxSession.start(["/bin/sh", "-c", command + "; echo $? > \(marker); sleep 30"], rows: 60)
        defer { tmux.stop() }
        try tmux.send("echo sum=$((6*7))", "Enter")
        #expect(try await tmux.waitFor("sum=42"), "\((try? tmux.screen()) ?? "")")
        try tmux.send("~?")
        #expect(try await tmux.waitFor(" ~C   - open a command line"))
        #expect(try await tmux.waitFor("(Note that escapes are only recognized immediately after newline.)"))
        try tmux.send("~#")
        #expect(try await tmux.waitFor("  #0 client-session"))
        try tmux.send("~v")
        #expect(try await tmux.waitFor("~v [LogLevel VERBOSE]"))
        try tmux.send("~B")
        #expect(try await tmux.waitFor("~B"))
        // Escapes leave the line's start where it was: another one can follow at once.
        try tmux.send("~C")
        #expect(try await tmux.waitFor("ssh>"))
        let port = freeLoopbackPort()
        try tmux.send(" -L \(port):127.0.0.1:\(echo.port)", "Enter")
        #expect(try await tmux.waitFor("Forwarding port."))
        let script = """
            import socket, sys
            try:
                s = socket.create_connection(("127.0.0.1", \(port)))
            except OSError:
                print("refused"); sys.exit()
            s.sendall(b"through ~C"); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())
            """
        let python = Peers.executable("python3") ?? "python3"
        #expect(try await Peers.runDetached([python, "-c", script]).output == "through ~C\n")
        try tmux.send("~C")
        try tmux.send(" -KL \(port)", "Enter")
        #expect(try await tmux.waitFor("Canceled forwarding."))
        #expect(try await Peers.runDetached([python, "-c", script]).output == "refused\n")
        try tmux.send("~C")
        try tmux.send(" -KL \(port)", "Enter")
        #expect(try await tmux.waitFor("Unknown port forwarding."))
        try tmux.send("echo still=$((6*8))", "Enter")
        #expect(try await tmux.waitFor("still=48"))
        try tmux.send("~.")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "255\n")
        #expect(try await tmux.waitFor("Connection to 127.0.0.1 closed."), "\((try? tmux.screen()) ?? "")")
    }

    @Test func dynamicForwardingSpeaksSOCKS() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let client = try await setup.connect()
        let listener = try await client.forwardDynamic(listen: .tcp(host: "127.0.0.1", port: 0))
        let proxy = listener.localAddress?.port ?? 0
        let script = """
            import socket
            s = socket.create_connection(("127.0.0.1", \(proxy)))
            s.sendall(b"\\x05\\x01\\x00"); assert s.recv(2) == b"\\x05\\x00"
            s.sendall(b"\\x05\\x01\\x00\\x03\\x09127.0.0.1" + (\(echo.port)).to_bytes(2, "big"))
            assert s.recv(10)[:2] == b"\\x05\\x00"
            s.sendall(b"socks5"); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())
            s = socket.create_connection(("127.0.0.1", \(proxy)))
            s.sendall(b"\\x04\\x01" + (\(echo.port)).to_bytes(2, "big") + b"\\x00\\x00\\x00\\x01u\\x00127.0.0.1\\x00")
            assert s.recv(8)[1] == 0x5A
            s.sendall(b"socks4a"); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())
            """
        let result = try await Peers.runDetached([Peers.executable("python3") ?? "python3", "-c", script])
        #expect(result.output == "socks5\nsocks4a\n")
        await client.close()
    }
}

/// SSHClient's agent forwarding and sessions on sshd: the server's commands use our agent.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"), .serialized)
struct SSHClientSessionTests {
    @Test func agentForwardingReachesCommandsOnTheServer() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let agentDirectory = try Peers.temporaryDirectory("paramiko-agent")
        chmod(agentDirectory.path, 0o700)
        let agent = try await SSHAgentServer.listen(path: agentDirectory.path + "/agent.sock")
        defer { Task { await agent.close() } }
        let forwarded = try SSHPrivateKey.generate(.ecdsaP256)
        await agent.keyring.add(forwarded, comment: "from-the-client")
        var configuration = SSHClientConfiguration()
        configuration.forwardAgent = agent.path
        let client = try await setup.connect(configuration: configuration)
        let listed = try await client.run("ssh-add -l")
        #expect(listed.output.contains(forwarded.publicKey.fingerprint()), "\(listed.output) \(listed.errorOutput)")
        await client.close()
    }

    @Test func fiftyConcurrentChannels() async throws {
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "MaxSessions 60"])
        defer { setup.server.stop() }
        let client = try await setup.connect()
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<50 { group.addTask { try await client.run("echo \(index)").output } }
            var all: [String] = []
            for try await output in group { all.append(output) }
            return all
        }
        #expect(Set(outputs) == Set((0..<50).map { "\($0)\n" }))
        await client.close()
    }

    /// sshd takes signal requests only on unprivileged sessions (a root login runs without
    /// privilege separation), so this logs in as the test account.
    @Test(.enabled(if: TestUser.available, "needs root to make a user with a password"))
    func signalDeliveredAndExitSignalReported() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.password = TestUser.password
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: setup.server.port, username: TestUser.name, authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely)
        let channel = try await client.exec("exec sleep 30")
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await channel.request(.signal(name: "USR1"), wantReply: true))
        var signal: String?
        for try await output in channel.output {
            if case .exitSignal(let exit) = output { signal = exit.signalName }
        }
        #expect(signal == "USR1")
        await client.close()
    }

    @Test func x11RequestAccepted() async throws {
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "X11Forwarding yes", "X11UseLocalhost yes"])
        defer { setup.server.stop() }
        let client = try await setup.connect()
        let channel = try await client.runtime.openSession()
        let request = ChannelRequestType.X11Forwarding(
            singleConnection: false, authenticationProtocol: "MIT-MAGIC-COOKIE-1",
            authenticationCookie: String(repeating: "ab", count: 16), screenNumber: 0)
        #expect(try await channel.request(.x11(request), wantReply: true))
        #expect(try await channel.exec("echo $DISPLAY"))
        var text = ""
        for try await output in channel.output {
            if case .stdout(let data) = output { text += String(buffer: data) }
        }
        #expect(text.hasPrefix("localhost:1"), "\(text)")
        await client.close()
    }

    @Test func aGibibyteThroughCatArrivesExactly() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let client = try await setup.connect()
        let channel = try await client.exec("cat")
        var random = SystemRandom()
        let block = ByteBuffer(bytes: random.bytes(1 << 20))
        let total = 1024
        let writer = Task {
            for _ in 0..<total { try await channel.write(block) }
            try await channel.sendEOF()
        }
        var expected = try DigestHasher(.sha256)
        block.withUnsafeReadableBytes { bytes in
            for _ in 0..<total { expected.update(bytes) }
        }
        var received = try DigestHasher(.sha256)
        var count = 0
        for try await output in channel.output {
            if case .stdout(let data) = output {
                count += data.readableBytes
                data.withUnsafeReadableBytes { received.update($0) }
            }
        }
        try await writer.value
        #expect(count == total << 20)
        #expect(try received.finalize() == expected.finalize())
        await client.close()
    }

    @Test func environmentWithAcceptEnvAndAPty() async throws {
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "AcceptEnv PARAMIKO_*"])
        defer { setup.server.stop() }
        let client = try await setup.connect()
        let env = try await client.run("echo $PARAMIKO_COLOUR", environment: ["PARAMIKO_COLOUR": "teal"])
        #expect(env.output == "teal\n")
        let terminal = ChannelRequestType.PseudoTerminal(
            term: "xterm", size: .init(columns: 123, rows: 45, widthPixels: 0, heightPixels: 0))
        let channel = try await client.exec("stty size; tty", terminal: terminal)
        var text = ""
        for try await output in channel.output {
            if case .stdout(let data) = output { text += String(buffer: data) }
        }
        #expect(text.hasPrefix("45 123"))
        #expect(text.contains("/dev/pts/"))
        await client.close()
    }
}

/// Keeps what a logger was told, as `level message` lines.
struct RecordingLogHandler: LogHandler {
    final class Records: Sendable {
        private let box = NIOLockedValueBox<[String]>([])
        func append(_ line: String) { box.withLockedValue { $0.append(line) } }
        var lines: [String] { box.withLockedValue { $0 } }
    }

    let records: Records
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        records.append("\(event.level) \(event.message)")
    }
}
