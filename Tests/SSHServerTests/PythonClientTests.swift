import Foundation
import SSHServer
import SSHTestSupport
import Testing

/// Python paramiko's client against SSHServer: password and key login, exec with output,
/// stderr and exit status, a pty with env, direct-tcpip and tcpip-forward, and SFTP through a
/// registered subsystem.
@Suite(.enabled(if: Peers.available("python3"), "python3 is not installed"), .serialized)
struct PythonClientTests {
    static let script = """
        import sys, paramiko
        port, key_path, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
        c = paramiko.SSHClient()
        c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        if mode == "password":
            c.connect("127.0.0.1", port=port, username="tester", password="secret", look_for_keys=False, allow_agent=False)
        else:
            c.connect("127.0.0.1", port=port, username="tester", key_filename=key_path, look_for_keys=False, allow_agent=False)
        stdin, stdout, stderr = c.exec_command("echo out; echo err >&2; exit 4")
        print("OUT", stdout.read().decode().strip(), "ERR", stderr.read().decode().strip(), "STATUS", stdout.channel.recv_exit_status())
        stdin, stdout, stderr = c.exec_command("cat")
        stdin.write(b"x" * 100000); stdin.channel.shutdown_write()
        print("CAT", len(stdout.read()))
        if len(sys.argv) > 5:
            import socket, threading
            t = c.get_transport()
            chan = t.open_session(); chan.get_pty(width=77, height=22); chan.update_environment({"PARAMIKO_X": "seven"})
            chan.exec_command("tty; stty size; echo $PARAMIKO_X")
            out = b""
            while True:
                d = chan.recv(1000)
                if not d: break
                out += d
            print("PTY", out.decode().replace("\\r\\n", "|"))
            echo = int(sys.argv[5])
            d = t.open_channel("direct-tcpip", ("127.0.0.1", echo), ("127.0.0.1", 0))
            d.sendall(b"via direct-tcpip"); d.shutdown_write()
            print("LOCAL", d.makefile().read().decode())
            port = t.request_port_forward("127.0.0.1", 0)
            def knock():
                s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"via tcpip-forward"); s.shutdown(socket.SHUT_WR)
                print("REMOTE", s.makefile("rb").read().decode(), flush=True)
            th = threading.Thread(target=knock); th.start()
            r = t.accept(10)
            got = b""
            while True:
                x = r.recv(100)
                if not x: break
                got += x
            r.sendall(got); r.close(); th.join()
        if len(sys.argv) > 4:
            sftp = c.open_sftp()
            with sftp.open("hello.txt", "w") as f: f.write(b"from paramiko")
            print("SFTP", sorted(sftp.listdir(".")), sftp.open("hello.txt").read().decode())
        c.close()
        """

    @Test(arguments: ["password", "publickey"])
    func paramikoRunsCommands(mode: String) async throws {
        let root = try Peers.temporaryDirectory("paramiko-root")
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = sftpSubsystem(root: root.path)
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        defer { Task { await workspace.stop() } }
        let python = try #require(Peers.executable("python3"))
        var arguments = [python, "-c", Self.script, "\(workspace.server.port)", workspace.keyPath, mode]
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        if mode == "publickey" { arguments += ["sftp", "\(echo.port)"] }
        let result = try await Peers.runDetached(arguments)
        #expect(result.output.contains("OUT out ERR err STATUS 4"), "\(result.output)")
        #expect(result.output.contains("CAT 100000"))
        if mode == "publickey" {
            #expect(result.output.contains("SFTP ['hello.txt'] from paramiko"))
            #expect(try String(contentsOf: root.appendingPathComponent("hello.txt"), encoding: .utf8) == "from paramiko")
            #expect(result.output.contains("PTY /dev/pts/"), "\(result.output)")
            #expect(result.output.contains("|22 77|seven|"))
            #expect(result.output.contains("LOCAL via direct-tcpip"))
            #expect(result.output.contains("REMOTE via tcpip-forward"))
        }
    }
}
