import Foundation
import SSHTestSupport
import Testing

/// ControlMaster, ControlPath and ControlPersist (OpenSSH's PROTOCOL.mux): `paramiko ssh` as a
/// master that OpenSSH's `ssh` and ours use, as a client of OpenSSH's master, and as a persistent
/// master of its own; each step beside what `ssh` does.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"), .serialized)
struct ConnectionSharingTests {
    /// A master for `control`, started with `program` (ours or OpenSSH's) in the background.
    static func startMaster(_ program: [String], control: String, setup: SSHClientTests.Setup, login: [String]) async throws {
        let started = try await Peers.runDetached(setup.inShell(program + ["-M", "-S", control, "-fN"] + login))
        try #require(started.status == 0, "\(started.output)")
        #expect(FileManager.default.fileExists(atPath: control))
    }

    /// What each client gets through `control`: sessions with their output and status, standard
    /// input, `-O check`, `-O forward` and `-O cancel` of a local forwarding, and `-W`.
    static func clientsShare(_ control: String, login: [String], echo: EchoServer) async throws {
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        for client in [[paramiko, "ssh"], [ssh]] {
            let check = try await Peers.runDetached(client + ["-S", control, "-O", "check"] + login)
            #expect(check.status == 0 && check.output.hasPrefix("Master running (pid="), "\(client): \(check.output)")
            let command = try await Peers.runDetached(client + ["-S", control] + login + ["echo one; echo two >&2; exit 3"])
            #expect(command.status == 3, "\(client): \(command.output)")
            #expect(command.output == "one\ntwo\n", "\(client)")
            let input = Data(repeating: 0x62, count: 300_000)
            let counted = try await Peers.runDetached(client + ["-S", control] + login + ["wc -c"], input: input)
            #expect(counted.output.trimmingCharacters(in: .whitespacesAndNewlines) == "300000", "\(client)")

            let port = freeLoopbackPort()
            let forward = ["-S", control, "-L", "\(port):127.0.0.1:\(echo.port)"]
            let added = try await Peers.runDetached(client + forward + ["-O", "forward"] + login)
            #expect(added.status == 0, "\(client): \(added.output)")
            #expect(talk(port: port, text: "through the master") == "through the master", "\(client)")
            let cancelled = try await Peers.runDetached(client + forward + ["-O", "cancel"] + login)
            #expect(cancelled.status == 0, "\(client): \(cancelled.output)")
            #expect(talk(port: port, text: "gone") == "", "\(client)")

            let stdio = try await Peers.runDetached(
                client + ["-S", control, "-W", "127.0.0.1:\(echo.port)"] + login, input: Data("carried".utf8))
            #expect(stdio.output == "carried", "\(client): \(stdio.output)")
        }
    }

    /// `paramiko sftp` with ControlPath finds the master and runs its session there: without a key
    /// of its own it could not log in, through the master it lists and moves a file.
    static func sftpShares(_ control: String, setup: SSHClientTests.Setup) async throws {
        let local = setup.directory.appendingPathComponent("local.txt").path
        let copied = setup.directory.appendingPathComponent("copied.txt").path
        try "shared sftp\n".write(toFile: local, atomically: true, encoding: .utf8)
        let batch = setup.directory.appendingPathComponent("batch").path
        try "put \(local) \(copied).remote\nget \(copied).remote \(copied)\npwd\n".write(
            toFile: batch, atomically: true, encoding: .utf8)
        let sftp = try await Peers.runDetached([
            try Peers.paramiko(), "sftp", "-F", "none", "-b", batch, "-P", "\(setup.server.port)",
            "-o", "ControlPath=\(control)", "-o", "ControlMaster=no", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "IdentityFile=\(setup.directory.appendingPathComponent("no-such-key").path)",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "\(NSUserName())@127.0.0.1",
        ])
        #expect(sftp.status == 0, "\(sftp.output)")
        #expect(sftp.output.contains("Remote working directory: /"), "\(sftp.output)")
        #expect((try? String(contentsOfFile: copied, encoding: .utf8)) == "shared sftp\n")
    }

    /// Sends `text` to the port, closes our side, and returns what came back ("" when refused).
    static func talk(port: Int, text: String) -> String {
        let script = """
            import socket
            try:
                s = socket.create_connection(("127.0.0.1", \(port)), timeout=10)
            except OSError:
                print("", end=""); raise SystemExit
            s.sendall(b"\(text)"); s.shutdown(socket.SHUT_WR)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk: break
                data += chunk
            print(data.decode(), end="")
            """
        return (try? Peers.run([Peers.executable("python3") ?? "python3", "-c", script]).output) ?? ""
    }

    @Test func paramikoMasterServesOpenSSHAndParamikoClients() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let paramiko = try Peers.paramiko()
        let login = setup.loginFlags(["LogLevel=ERROR"])
        let control = setup.directory.appendingPathComponent("ctl").path
        try await Self.startMaster([paramiko, "ssh"], control: control, setup: setup, login: login)
        try await Self.clientsShare(control, login: login, echo: echo)
        try await Self.sftpShares(control, setup: setup)

        // A second master for the same path leaves the first alone, as ssh's does.
        let second = try await Peers.runDetached([paramiko, "ssh", "-M", "-S", control] + login + ["echo unshared"])
        let theirSecond = try await Peers.runDetached(
            [Peers.executable("ssh") ?? "ssh", "-M", "-S", control] + login + ["echo unshared"])
        #expect(second.status == 0 && second.output.hasSuffix("unshared\n"), "\(second.output)")
        #expect(second.output == theirSecond.output)

        // A client whose output pipe closes early (`| head -1`) ends its session, as with ssh's
        // master, and the master goes on.
        for client in [[paramiko, "ssh"], [Peers.executable("ssh") ?? "ssh"]] {
            let command = (client + ["-S", control] + login + ["yes"]).map { "'\($0)'" }.joined(separator: " ")
            let piped = try await Peers.runDetached(["/bin/sh", "-c", command + " | head -1"], timeout: 30)
            #expect(piped.status == 0 && piped.output == "y\n", "\(client): \(piped.status) \(piped.output)")
        }
        let stillUp = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "check"] + login)
        #expect(stillUp.status == 0, "\(stillUp.output)")

        // A client that speaks another version, or nonsense, is turned away; the master goes on.
        let garbage = """
            import socket, struct
            for body in (struct.pack(">II", 1, 99), b"\\x00\\x00\\x00\\x02\\xff", struct.pack(">I", 1 << 30)):
                s = socket.socket(socket.AF_UNIX); s.connect("\(control)"); s.sendall(body)
                s.settimeout(5)
                try:
                    while s.recv(4096): pass
                except OSError: pass
                s.close()
            """
        _ = try await Peers.runDetached([Peers.executable("python3") ?? "python3", "-c", garbage])
        let alive = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "check"] + login)
        #expect(alive.status == 0, "\(alive.output)")

        let exit = try await Peers.runDetached([Peers.executable("ssh") ?? "ssh", "-S", control, "-O", "exit"] + login)
        #expect(exit.status == 0 && exit.output == "Exit request sent.\r\n", "\(exit.output)")
        for _ in 0..<100 where FileManager.default.fileExists(atPath: control) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!FileManager.default.fileExists(atPath: control))
        let gone = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "check"] + login)
        let theirs = try await Peers.runDetached([Peers.executable("ssh") ?? "ssh", "-S", control, "-O", "check"] + login)
        #expect(gone.status == 255 && theirs.status == 255)
        #expect(gone.output == theirs.output, "\(gone.output) / \(theirs.output)")
    }

    @Test func paramikoClientsUseOpenSSHMaster() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let login = setup.loginFlags(["LogLevel=ERROR"])
        let control = setup.directory.appendingPathComponent("ctl").path
        try await Self.startMaster([Peers.executable("ssh") ?? "ssh"], control: control, setup: setup, login: login)
        try await Self.clientsShare(control, login: login, echo: echo)
        try await Self.sftpShares(control, setup: setup)
        let paramiko = try Peers.paramiko()
        let stop = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "stop"] + login)
        #expect(stop.status == 0 && stop.output == "Stop listening request sent.\r\n", "\(stop.output)")
        for _ in 0..<100 where FileManager.default.fileExists(atPath: control) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!FileManager.default.fileExists(atPath: control))
        // The master itself goes on until it is told to end.
        _ = try? Peers.run([Peers.executable("pkill") ?? "pkill", "-f", "--", "-S \(control)"])
    }

    /// A terminal session through our master, from OpenSSH's client and ours, typed under tmux:
    /// the pty has the client's size, follows it when the window changes (the client relays
    /// SIGWINCH to the master), and `~.` ends that session while the master goes on.
    @Test(.enabled(if: Peers.available("tmux"), "tmux is not installed"))
    func terminalSessionsThroughTheMaster() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        let login = setup.loginFlags(["LogLevel=ERROR"])
        let control = setup.directory.appendingPathComponent("ctl").path
        try await Self.startMaster([paramiko, "ssh"], control: control, setup: setup, login: login)
        defer { _ = try? Peers.run([paramiko, "ssh", "-S", control, "-O", "exit"] + login) }
        for (index, client) in [[Peers.executable("ssh") ?? "ssh"], [paramiko, "ssh"]].enumerated() {
            let marker = setup.directory.appendingPathComponent("exited\(index)").path
            let command = (client + ["-S", control, "-t"] + login).map { "'\($0)'" }.joined(separator: " ")
            let tmux = try TmuxSession.start(["/bin/sh", "-c", command + "; echo $? > \(marker); sleep 30"], columns: 91, rows: 26)
            defer { tmux.stop() }
            try tmux.send("stty size; echo sum=$((6*7))", "Enter")
            #expect(try await tmux.waitFor("sum=42"), "\(client): \((try? tmux.screen()) ?? "")")
            #expect(try await tmux.waitFor("26 91"), "\(client)")
            try tmux.resize(columns: 77, rows: 22)
            try await Task.sleep(for: .milliseconds(300))
            try tmux.send("stty size", "Enter")
            #expect(try await tmux.waitFor("22 77"), "\(client): \((try? tmux.screen()) ?? "")")
            try tmux.send("~.")
            for _ in 0..<100 where !FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(50)) }
            #expect((try? String(contentsOfFile: marker, encoding: .utf8)) == "255\n", "\(client)")
            let check = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "check"] + login)
            #expect(check.status == 0, "\(client): \(check.output)")
        }
    }

    /// ControlMaster ask (`-MM`): each request is put to SSH_ASKPASS first. A refused session goes
    /// over a connection of its own after ssh's words, a refused exit ends the client with 255,
    /// for OpenSSH's client and ours alike.
    @Test func askingMasterPutsRequestsToAskPass() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        let login = setup.loginFlags(["LogLevel=ERROR"])
        let control = setup.directory.appendingPathComponent("ctl").path
        let answer = setup.directory.appendingPathComponent("answer").path
        let askPass = setup.directory.appendingPathComponent("askpass").path
        try "#!/bin/sh\ncat '\(answer)'\n".write(toFile: askPass, atomically: true, encoding: .utf8)
        chmod(askPass, 0o755)
        try "no\n".write(toFile: answer, atomically: true, encoding: .utf8)
        let environment = ["SSH_ASKPASS": askPass, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
        let started = try await Peers.runDetached(
            setup.inShell([paramiko, "ssh", "-MM", "-S", control, "-fN"] + login), environment: environment)
        try #require(started.status == 0, "\(started.output)")
        let ours = try await Peers.runDetached([paramiko, "ssh", "-S", control] + login + ["echo direct"])
        let theirs = try await Peers.runDetached([ssh, "-S", control] + login + ["echo direct"])
        #expect(ours.status == 0 && ours.output == "Master refused session request: Permission denied\r\ndirect\n", "\(ours.output)")
        #expect(ours.output == theirs.output, "\(theirs.output)")
        let refusedExit = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "exit"] + login)
        let theirRefusedExit = try await Peers.runDetached([ssh, "-S", control, "-O", "exit"] + login)
        #expect(refusedExit.status == 255 && theirRefusedExit.status == 255)
        #expect(refusedExit.output == "Master refused termination request: Permission denied\r\n", "\(refusedExit.output)")
        #expect(refusedExit.output == theirRefusedExit.output, "\(theirRefusedExit.output)")
        try "yes\n".write(toFile: answer, atomically: true, encoding: .utf8)
        let shared = try await Peers.runDetached([paramiko, "ssh", "-S", control] + login + ["echo shared"])
        #expect(shared.status == 0 && shared.output == "shared\n", "\(shared.output)")
        let exit = try await Peers.runDetached([paramiko, "ssh", "-S", control, "-O", "exit"] + login)
        #expect(exit.status == 0 && exit.output == "Exit request sent.\r\n", "\(exit.output)")
    }

    /// A master forwarding the agent (-A) gives it to a client's session only when the client asks
    /// for it too, with our master as with OpenSSH's, for either client.
    @Test(.enabled(if: Peers.available("ssh-agent"), "ssh-agent is not installed"))
    func agentOnlyForClientsThatAskForIt() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        let ssh = Peers.executable("ssh") ?? "ssh"
        let socket = setup.directory.appendingPathComponent("agent.sock").path
        try Peers.run([Peers.executable("ssh-agent") ?? "ssh-agent", "-a", socket])
        defer { _ = try? Peers.run([Peers.executable("pkill") ?? "pkill", "-f", "ssh-agent -a \(socket)"]) }
        let environment = ["SSH_AUTH_SOCK": socket]
        let added = try Peers.run([Peers.executable("ssh-add") ?? "ssh-add", setup.keyPath], environment: environment)
        try #require(added.status == 0, "\(added.output)")
        let login = setup.loginFlags(["LogLevel=ERROR"])
        // Unshared, -A forwards SSH_AUTH_SOCK's agent as ssh's does.
        for client in [[paramiko, "ssh"], [ssh]] {
            let direct = try await Peers.runDetached(
                client + ["-A"] + login + ["ssh-add -l >/dev/null 2>&1; echo $?"], environment: environment)
            #expect(direct.output == "0\n", "\(client): \(direct.output)")
        }
        for (index, master) in [[paramiko, "ssh"], [ssh]].enumerated() {
            let control = setup.directory.appendingPathComponent("ctl\(index)").path
            let started = try await Peers.runDetached(
                setup.inShell(master + ["-A", "-M", "-S", control, "-fN"] + login), environment: environment)
            try #require(started.status == 0, "\(started.output)")
            // Unasked first: once a session of the connection has the agent, sshd gives it to the
            // connection's later sessions too.
            for (flags, status) in [([String](), "2\n"), (["-A"], "0\n")] {
                for client in [[paramiko, "ssh"], [ssh]] {
                    let listed = try await Peers.runDetached(
                        client + flags + ["-S", control] + login + ["ssh-add -l >/dev/null 2>&1; echo $?"],
                        environment: environment)
                    #expect(listed.output == status, "\(master) \(client) \(flags): \(listed.output)")
                }
            }
            _ = try await Peers.runDetached(master + ["-S", control, "-O", "exit"] + login)
        }
    }

    /// ControlMaster auto with ControlPersist: the first command starts a master in the background
    /// and is its first client; the next commands share it; after the idle time it goes.
    @Test func controlPersistKeepsAMasterInTheBackground() async throws {
        let setup = try await SSHClientTests.setUp()
        defer { setup.server.stop() }
        let paramiko = try Peers.paramiko()
        let control = setup.directory.appendingPathComponent("persist").path
        let sharing = ["ControlMaster=auto", "ControlPath=\(control)", "ControlPersist=2", "LogLevel=ERROR"]
        let login = setup.loginFlags(sharing)
        let first = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo first; exit 4"])
        #expect(first.status == 4 && first.output == "first\n", "\(first.output)")
        #expect(FileManager.default.fileExists(atPath: control))
        let check = try await Peers.runDetached([paramiko, "ssh", "-O", "check"] + login)
        #expect(check.status == 0, "\(check.output)")
        // The next command goes through the master: one sshd session process serves both.
        let next = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo $PPID"])
        let again = try await Peers.runDetached([paramiko, "ssh"] + login + ["echo $PPID"])
        #expect(next.status == 0 && next.output == again.output, "\(next.output) / \(again.output)")
        // Idle for ControlPersist's two seconds, the master removes its socket and ends.
        for _ in 0..<200 where FileManager.default.fileExists(atPath: control) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!FileManager.default.fileExists(atPath: control))
    }
}
