import Foundation
import SFTP
import SSHTestSupport
import Testing

/// Other clients against our server: OpenSSH's `sftp -b` over `-D` (no SSH) gives what it gives against
/// OpenSSH's own sftp-server, and Python's paramiko `SFTPClient` works over a socket pair.
@Suite struct ForeignClientTests {
    static let sftpAvailable = Peers.executable("sftp") != nil && SFTPPeer.openSSHServerAvailable
    static let paramikoAvailable =
        (try? Peers.run(["/usr/bin/env", "python3", "-c", "import paramiko"], timeout: 30).status) == 0

    /// Runs `commands` with `sftp -b` against `server` in `directory`, local files in `local`, and returns
    /// the output with the two directories' paths replaced by placeholders and numbers of `df` blanked.
    func runBatch(_ commands: [String], server: String, directory: String, local: String) throws -> [String] {
        let batch = local + "/batch"
        try commands.joined(separator: "\n").appending("\n").write(toFile: batch, atomically: true, encoding: .utf8)
        let result = try Peers.run(
            [try #require(Peers.executable("sftp")), "-q", "-b", batch, "-D", server], timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        return result.output.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var line = String(line)
            line = line.replacingOccurrences(of: directory, with: "").replacingOccurrences(of: local, with: "<local>")
            if line.first == " " || line.first?.isNumber == true {
                line = line.replacing(/[0-9][0-9.]*[KMGTP]?B?/, with: "N")
            }
            return line
        }
    }

    @Test(.enabled(if: sftpAvailable))
    func openSSHsSftpGetsTheSameResultsFromBothServers() async throws {
        let commands = [
            "ls", "mkdir d", "put <local>/up.txt up.txt", "get a.txt <local>/got.txt", "rename up.txt d/moved.txt",
            "ln -s a.txt link", "ln a.txt hard", "chmod 600 a.txt", "chmod 751 d", "ls", "ls -1 d", "df", "df -h",
            "get link <local>/via-link.txt", "-get missing <local>/missing", "-rm missing", "-mkdir d",
            "put <local>/up.txt d/second.txt", "rm d/moved.txt", "cd d", "ls", "cd ..",
            "-rmdir d", "rm d/second.txt", "rmdir d", "mkdir e", "lls <local>", "rename e f", "ls -a",
            "get -r f <local>/f-copy", "put -r <local>/tree tree", "ls -1 tree tree/inner",
            "get -r tree <local>/tree-back",
        ]
        var outputs: [[String]] = []
        var trees: [[String]] = []
        var locals: [[String]] = []
        for server in ["openssh", "ours"] {
            let scratch = try Scratch("batch-\(server)")
            try scratch.mkdir("served")
            try scratch.mkdir("local/tree/inner")
            try scratch.write("served/a.txt", "content of a\n")
            try scratch.write("local/up.txt", "uploaded\n")
            try scratch.write("local/tree/inner/leaf", "leaf\n")
            let served = scratch.sub("served")
            let command =
                server == "openssh"
                ? "\(SFTPPeer.openSSHServerPath) -d \(served)" : "\(try Peers.paramiko()) sftp-server --root \(served)"
            let directory = server == "openssh" ? served : ""
            let batch = commands.map { $0.replacingOccurrences(of: "<local>", with: scratch.sub("local")) }
            outputs.append(try runBatch(batch, server: command, directory: directory, local: scratch.sub("local")))
            trees.append(
                try treeListing(served) + [
                    "mode a.txt \(localModeAndTime(served + "/a.txt").mode)",
                    "mode d \(localModeAndTime(served + "/f").mode)",
                ])
            locals.append(try treeListing(scratch.sub("local")).filter { !$0.contains("batch") })
        }
        #expect(outputs[0] == outputs[1])
        #expect(trees[0] == trees[1])
        #expect(locals[0] == locals[1])
    }

    @Test(.enabled(if: paramikoAvailable))
    func pythonParamikoWorksAgainstOurServer() async throws {
        let scratch = try Scratch("paramiko")
        try scratch.mkdir("served")
        try scratch.write("local.txt", "from python\n")
        let script = #"""
            import os, socket, stat, subprocess, sys
            import paramiko
            binary, root, local = sys.argv[1:4]
            class Pipe:
                """The socket as paramiko wants a channel: send, recv, close and a name."""
                def __init__(self, sock): self.sock = sock
                def get_name(self): return "sftp-server"
                def send(self, data): return self.sock.send(data)
                def recv(self, count): return self.sock.recv(count)
                def close(self): self.sock.close()
            ours, theirs = socket.socketpair()
            server = subprocess.Popen([binary, "sftp-server", "--root", root], stdin=theirs, stdout=theirs)
            theirs.close()
            sftp = paramiko.SFTPClient(Pipe(ours))
            print("cwd", sftp.normalize("."))
            sftp.mkdir("dir", 0o750)
            sftp.put(local, "dir/uploaded.txt")
            print("size", sftp.stat("dir/uploaded.txt").st_size)
            sftp.get("dir/uploaded.txt", local + ".back")
            print("back", open(local + ".back").read().strip())
            with sftp.open("dir/written.txt", "w") as f:
                f.write(b"line one\nline two\n")
            with sftp.open("dir/written.txt", "r") as f:
                print("lines", [l.strip() for l in f.readlines()])
            sftp.chdir("dir")
            print("getcwd", sftp.getcwd())
            sftp.symlink("written.txt", "link")
            print("readlink", sftp.readlink("link"))
            sftp.rename("written.txt", "renamed.txt")
            sftp.posix_rename("renamed.txt", "final.txt")
            sftp.chmod("final.txt", 0o600)
            print("mode", oct(stat.S_IMODE(sftp.stat("final.txt").st_mode)))
            sftp.utime("final.txt", (1000000000, 1234567890))
            print("mtime", sftp.stat("final.txt").st_mtime)
            print("list", sorted(sftp.listdir(".")))
            print("attrs", sorted((a.filename, stat.S_ISLNK(a.st_mode)) for a in sftp.listdir_attr(".")))
            try:
                sftp.stat("../../etc/passwd")
            except IOError as e:
                print("escape", type(e).__name__, e.errno)
            sftp.remove("link")
            sftp.remove("final.txt")
            sftp.remove("uploaded.txt")
            sftp.chdir("/")
            sftp.rmdir("dir")
            print("empty", sftp.listdir("/"))
            sftp.close()
            server.wait(timeout=10)
            print("exit", server.returncode)
            """#
        let result = try Peers.run(
            [
                "/usr/bin/env", "python3", "-c", script, try Peers.paramiko(), scratch.sub("served"),
                scratch.sub("local.txt"),
            ],
            timeout: 60)
        #expect(result.status == 0, "\(result.output)")
        #expect(
            result.output.split(separator: "\n").map(String.init) == [
                "cwd /", "size 12", "back from python", "lines ['line one', 'line two']", "getcwd /dir",
                "readlink written.txt", "mode 0o600", "mtime 1234567890", "list ['final.txt', 'link', 'uploaded.txt']",
                "attrs [('final.txt', False), ('link', True), ('uploaded.txt', False)]", "escape FileNotFoundError 2",
                "empty []", "exit 0",
            ])
    }
}
