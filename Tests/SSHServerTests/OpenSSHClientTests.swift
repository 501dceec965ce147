import Foundation
import NIOCore
import NIOPosix
import SSHServer
import SSHTestSupport
import Testing

/// OpenSSH's `ssh` against SSHServer: exec with stdin, stdout, stderr and exit status, env, a
/// pty, signals, and -L and -R forwarding with real TCP traffic.
@Suite(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"), .serialized)
struct OpenSSHClientTests {
    @Test func execWithStdinStdoutStderrAndExitStatus() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let both = try await Peers.runDetached(workspace.ssh([], "echo out; echo err >&2; exit 3"))
        #expect(both.status == 3)
        #expect(both.output.contains("out\n") && both.output.contains("err\n"))
        // Standard error arrives as extended data: discarding ssh's stderr leaves only "out".
        let quoted = workspace.ssh([], "echo out; echo err >&2").map { "'\($0)'" }.joined(separator: " ")
        let stdoutOnly = try await Peers.runDetached(["/bin/sh", "-c", "\(quoted) 2>/dev/null"])
        #expect(stdoutOnly.output == "out\n")
        let input = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let counted = try await Peers.runDetached(workspace.ssh([], "wc -c"), input: input)
        #expect(counted.output.trimmingCharacters(in: .whitespacesAndNewlines) == "300000")
    }

    @Test func largeOutputArrivesWhole() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let result = try await Peers.runDetached(
            ["/bin/sh", "-c", workspace.ssh([], "head -c 20000000 /dev/zero").map { "'\($0)'" }.joined(separator: " ") + " | wc -c"])
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "20000000")
    }

    /// `ssh -C` re-exchanging keys every 512 KiB: each exchange starts new compression contexts
    /// on both sides (RFC 4253 §6.2), so what goes up through `sha256sum` and comes down from `head`
    /// after the first exchange still inflates.
    @Test func compressionAcrossReexchanges() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let options = ["-C", "-o", "RekeyLimit=512K"]
        var generator = SeededRandom(seed: 7)
        let input = Data((0..<(6 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let digest = try await Peers.runDetached([try #require(Peers.executable("sha256sum"))], input: input)
        let up = try await Peers.runDetached(workspace.ssh(options, "sha256sum"), input: input)
        #expect(up.status == 0, "\(up.output)")
        #expect(up.output == digest.output)
        let command = workspace.ssh(options, "head -c 6000000 /dev/urandom").map { "'\($0)'" }.joined(separator: " ")
        let down = try await Peers.runDetached(["/bin/sh", "-c", command + " | wc -c"])
        #expect(down.output.trimmingCharacters(in: .whitespacesAndNewlines) == "6000000", "\(down.output)")
    }

    /// `scp` over SFTP (OpenSSH 9's default) and over the old protocol (`-O`, a `scp -t` exec): files
    /// and a tree with a symbolic link arrive whole both ways, and scp exits with 0, which it does
    /// only when the session's exit status came before the channel closed.
    @Test func scpBothWaysOverSFTPAndTheOldProtocol() async throws {
        let root = try Peers.temporaryDirectory("scp-root")
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = sftpSubsystem(root: root.path)
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        defer { Task { await workspace.stop() } }
        let scp = try #require(Peers.executable("scp"))
        let options = [
            scp, "-F", "/dev/null", "-P", "\(workspace.server.port)", "-i", workspace.keyPath, "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
        ]
        var generator = SeededRandom(seed: 13)
        let bytes = Data((0..<(3 << 20 + 77)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let local = workspace.directory.appendingPathComponent("file.bin")
        try bytes.write(to: local)
        let tree = workspace.directory.appendingPathComponent("tree/a")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data("leaf\n".utf8).write(to: tree.appendingPathComponent("leaf.txt"))

        let up = try await Peers.runDetached(options + [local.path, "tester@127.0.0.1:/up.bin"])
        #expect(up.status == 0, "\(up.output)")
        #expect(try Data(contentsOf: root.appendingPathComponent("up.bin")) == bytes)
        let down = try await Peers.runDetached(options + ["tester@127.0.0.1:/up.bin", local.path + ".down"])
        #expect(down.status == 0, "\(down.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: local.path + ".down")) == bytes)
        let recursive = try await Peers.runDetached(
            options + ["-r", workspace.directory.appendingPathComponent("tree").path, "tester@127.0.0.1:/tree"])
        #expect(recursive.status == 0, "\(recursive.output)")
        #expect(try String(contentsOf: root.appendingPathComponent("tree/a/leaf.txt"), encoding: .utf8) == "leaf\n")
        let legacy = try await Peers.runDetached(options + ["-O", local.path, "tester@127.0.0.1:\(root.path)/legacy.bin"])
        #expect(legacy.status == 0, "\(legacy.output)")
        #expect(try Data(contentsOf: root.appendingPathComponent("legacy.bin")) == bytes)
    }

    @Test func environmentThroughSendEnv() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let result = try await Peers.runDetached(
            workspace.ssh(["-o", "SendEnv=PARAMIKO_TEST_VALUE"], "echo \"[$PARAMIKO_TEST_VALUE]\""),
            environment: ["PARAMIKO_TEST_VALUE": "forty-two"])
        #expect(result.output == "[forty-two]\n")
    }

    @Test func ptyGivesATerminalOfTheRequestedSize() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let result = try await Peers.runDetached(workspace.ssh(["-tt"], "tty; echo TERM=$TERM"), environment: ["TERM": "xterm-test"])
        #expect(result.output.contains("/dev/pts/"))
        #expect(result.output.contains("TERM=xterm-test"))
    }

    @Test func localForwardCarriesTCPTraffic() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let localPort = freeLoopbackPort()
        // ssh -L in the background with a command that keeps the connection while nc talks.
        let forwarded = try await Peers.runDetached(
            [
                "/bin/sh", "-c",
                workspace.ssh(["-f", "-o", "ExitOnForwardFailure=yes", "-L", "\(localPort):127.0.0.1:\(echo.port)"], "sleep 2")
                    .map { "'\($0)'" }.joined(separator: " ")
                    + " && python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', \(localPort))); s.sendall(b'hello through -L'); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())\"",
            ])
        #expect(forwarded.output.contains("hello through -L"))
    }

    @Test func remoteForwardCarriesTCPTraffic() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let remotePort = freeLoopbackPort()
        // The command runs on the server side, where the forwarded port listens.
        let script = "python3 -c \"import socket; s=socket.create_connection(('127.0.0.1', \(remotePort))); s.sendall(b'hello through -R'); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())\""
        let forwarded = try await Peers.runDetached(
            workspace.ssh(["-o", "ExitOnForwardFailure=yes", "-R", "\(remotePort):127.0.0.1:\(echo.port)"], script))
        #expect(forwarded.output.contains("hello through -R"))
        // As sshd binds it: a forwarding named by port alone listens on both loopback addresses;
        // one named by 127.0.0.1 on that one only.
        for (listen, reachesSix) in [("\(remotePort)", true), ("127.0.0.1:\(remotePort)", false)] {
            let both = "python3 -c \"import socket\nfor host in ('127.0.0.1', '::1'):\n  try:\n    s=socket.create_connection((host, \(remotePort))); s.sendall(b'via '+host.encode()); s.shutdown(socket.SHUT_WR); print(s.recv(100).decode())\n  except OSError as e: print(host, 'refused')\""
            let reached = try await Peers.runDetached(
                workspace.ssh(["-o", "ExitOnForwardFailure=yes", "-R", "\(listen):127.0.0.1:\(echo.port)"], both))
            #expect(reached.output.contains("via 127.0.0.1"), "\(listen): \(reached.output)")
            #expect(reached.output.contains("via ::1") == reachesSix, "\(listen): \(reached.output)")
        }
    }

    @Test func refusedWithoutTheKey() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let other = try Peers.temporaryDirectory().appendingPathComponent("other").path
        _ = try Peers.run([Peers.executable("ssh-keygen") ?? "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other])
        var arguments = workspace.ssh([], "true")
        arguments[arguments.firstIndex(of: workspace.keyPath)!] = other
        let result = try await Peers.runDetached(arguments)
        #expect(result.status == 255)
        #expect(result.output.contains("Permission denied"))
    }
}

/// A shell on a pseudo-terminal, driven under tmux as a person would: typing, the screen, the
/// terminal size, ^C, and `exit`.
@Suite(.enabled(if: Peers.available("tmux") && Peers.available("ssh"), "tmux or ssh is not installed"), .serialized)
struct PtyShellTests {
    @Test func interactiveShellUnderTmux() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let marker = workspace.directory.appendingPathComponent("exited").path
        var command = workspace.ssh(["-tt"])
        command = ["/bin/sh", "-c", command.map { "'\($0)'" }.joined(separator: " ") + "; echo $? > \(marker)"]
        let tmux = try TmuxSession.start(command, columns: 90, rows: 25)
        defer { tmux.stop() }
        try tmux.send("stty size; echo sum=$((6*7))", "Enter")
        #expect(try await tmux.waitFor("sum=42"))
        #expect(try await tmux.waitFor("25 90"))
        try tmux.send("sleep 100", "Enter")
        try await Task.sleep(for: .milliseconds(300))
        try tmux.send("C-c")
        try tmux.send("echo after-interrupt", "Enter")
        #expect(try await tmux.waitFor("after-interrupt\n") || (try tmux.screen()).contains("after-interrupt"))
        try tmux.send("exit 3", "Enter")
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "3\n")
    }
}
