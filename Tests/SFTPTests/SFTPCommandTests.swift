import Foundation
import SSHTestSupport
import Testing

/// `paramiko sftp` against OpenSSH's `sftp`: the same batch scripts in identical directory trees give the
/// same trees, exit status and output, over OpenSSH's sftp-server and over `paramiko sftp-server`; batch
/// mode stops where OpenSSH's does; recursive transfers and resumed transfers move the right bytes.
@Suite struct SFTPCommandTests {
    // MARK: The same script as OpenSSH's sftp

    /// The script of the comparisons: every kind of command, a `-`-prefixed failure that is passed over and
    /// a failure that ends the batch before its last line.
    static let script = """
        pwd
        mkdir x
        put a.txt x/
        put run.sh
        ls
        ls -1 x
        rename x/a.txt x/b.txt
        ln -s b.txt x/link
        ln x/b.txt x/hard
        chmod 600 x/b.txt
        get x/b.txt got.txt
        ls -1 x/*
        ls *.sh
        ls -l x/b.txt
        -get nope
        -rm nope
        -chmod 644 nope
        @pwd
        # a comment

        put -r tree rtree
        get -r rtree ltree
        ls rtree
        ls -1 rtree/
        df
        df -h
        -mkdir x
        cd x
        pwd
        ls
        cd
        mkdir gone
        rmdir gone
        put run.sh scratch.sh
        rm scratch.sh
        rename run.sh moved.sh
        "ls" "-1"
        rmdir nothere
        pwd
        """

    @Test(.enabled(if: OpenSSHSFTP.available, "OpenSSH's sftp or sftp-server is not installed"))
    func batchScriptMatchesOpenSSH() throws {
        let reference = try SFTPRun.batch(Self.script, client: .openSSH, server: .openSSH)
        let ours = try SFTPRun.batch(Self.script, client: .paramiko, server: .openSSH)
        try Self.checkScriptOutcome(reference)
        try Self.checkScriptOutcome(ours)
        #expect(ours.status == reference.status)
        #expect(ours.comparableOutput == reference.comparableOutput)
        #expect(ours.tree == reference.tree)
    }

    @Test(.enabled(if: OpenSSHSFTP.available, "OpenSSH's sftp or sftp-server is not installed"))
    func ownServerMatchesOpenSSH() throws {
        let reference = try SFTPRun.batch(Self.script, client: .openSSH, server: .openSSH)
        let ours = try SFTPRun.batch(Self.script, client: .paramiko, server: .paramiko)
        try Self.checkScriptOutcome(ours)
        #expect(ours.status == reference.status)
        #expect(ours.comparableOutput == reference.comparableOutput)
        #expect(ours.tree == reference.tree)
    }

    /// Over SSH: our client through OpenSSH's sshd and its sftp-server, and OpenSSH's sftp against
    /// `paramiko serve`, leave the same tree as OpenSSH's sftp with its own server.
    @Test(.enabled(if: OpenSSHSFTP.available && Peers.available("sshd"), "OpenSSH's sftp or sshd is not installed"))
    func overSSHBothWaysMatchesOpenSSH() async throws {
        // A bare `cd` goes to the login's home, which over SSH is not the tree's R: go up instead.
        let script = Self.script.replacingOccurrences(of: "\ncd\n", with: "\ncd ..\n")
        let reference = try SFTPRun.batch(script, client: .openSSH, server: .openSSH)
        let server = try await OpenSSHServer.start(configuration: ["LogLevel ERROR"])
        defer { server.stop() }
        let keyDirectory = try Peers.temporaryDirectory("sftp-key")
        defer { try? FileManager.default.removeItem(at: keyDirectory) }
        let key = keyDirectory.appendingPathComponent("id").path
        _ = try Peers.run([Peers.executable("ssh-keygen") ?? "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key])
        try server.authorize([try String(contentsOfFile: key + ".pub", encoding: .utf8)])
        let options = [
            "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        ]
        let throughSSHD = try SFTPRun.batchOverSSH(script, client: .paramiko) { root in
            (options + ["-P", "\(server.port)", "\(NSUserName())@127.0.0.1:\(root)/R"], {})
        }
        #expect(throughSSHD.status == reference.status)
        #expect(throughSSHD.tree == reference.tree)
        // The same over OpenSSH's ssh (-S), with the server run as a command (-s path), and with
        // every copy flushed to disk (-f).
        for extra in [["-S", Peers.executable("ssh") ?? "ssh"], ["-s", SFTPPeer.openSSHServerPath], ["-f", "-v"]] {
            let variant = try SFTPRun.batchOverSSH(script, client: .paramiko) { root in
                (extra + options + ["-P", "\(server.port)", "\(NSUserName())@127.0.0.1:\(root)/R"], {})
            }
            #expect(variant.status == reference.status, "\(extra)")
            #expect(variant.tree == reference.tree, "\(extra)")
        }
        let againstServe = try SFTPRun.batchOverSSH(script, client: .openSSH) { root in
            let authorized = keyDirectory.appendingPathComponent("authorized_keys").path
            try FileManager.default.copyItem(atPath: key + ".pub", toPath: authorized)
            let log = keyDirectory.appendingPathComponent("serve.log").path
            let (pid, port) = try PeerSpawn.startServe(
                ["--authorized-keys", authorized, "--root", root], log: log)
            return (options + ["-P", "\(port)", "tester@127.0.0.1:/R"], { PeerSpawn.stop(pid) })
        }
        #expect(againstServe.status == reference.status)
        #expect(againstServe.tree.filter { !$0.hasPrefix("D R ") } == reference.tree.filter { !$0.hasPrefix("D R ") })
    }

    /// Our client with our server, where OpenSSH is missing: what the script must have done.
    @Test func ownServerRunsTheScript() throws {
        try Self.checkScriptOutcome(try SFTPRun.batch(Self.script, client: .paramiko, server: .paramiko))
    }

    /// What the script leaves, whoever ran it.
    static func checkScriptOutcome(_ run: SFTPRun) throws {
        #expect(run.status == 1)
        // The echo stops at the failing command: its `pwd` never runs.
        #expect(run.output.last == "sftp> rmdir nothere")
        #expect(run.output.filter { $0.hasPrefix("Remote working directory: ") }.count == 3)
        #expect(!run.output.contains("sftp> @pwd"))
        #expect(run.output.contains("sftp> -get nope"))
        #expect(run.output.contains("Remote working directory: ROOT/R/x"))
        #expect(run.output.contains("Entering tree/"))
        #expect(run.output.contains("Retrieving ROOT/R/rtree/sub"))
        #expect(run.errors.contains("File \"ROOT/R/nope\" not found."))
        #expect(run.errors.contains("remote rmdir \"ROOT/R/nothere\": No such file or directory"))
        // OpenSSH sends SYMLINK's paths the other way round (PROTOCOL §4.1): the link must point at b.txt.
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: run.root + "/R/x/link") == "b.txt")
        #expect(run.tree.contains("L R/x/link -> b.txt"))
        #expect(run.tree.contains { $0.hasPrefix("F R/x/hard 600 ") })
        #expect(run.tree.contains { $0.hasPrefix("F L/got.txt 600 ") })
        #expect(run.tree.contains { $0.hasPrefix("F R/moved.sh 755 ") })
        #expect(!run.tree.contains { $0.hasPrefix("F R/scratch.sh") || $0.hasPrefix("D R/gone") })
        #expect(run.tree.contains { $0.hasPrefix("F L/ltree/sub/deep/f ") })
        // Recursive transfers leave symbolic links out, as OpenSSH's do.
        #expect(!run.tree.contains { $0.hasPrefix("L R/rtree/") || $0.hasPrefix("L L/ltree/") })
        #expect(run.errors.contains("lnk: not a regular file"))
    }

    // MARK: Batch mode

    /// `-l` caps each transfer's rate, as OpenSSH sftp's does, and every byte still arrives; a limit
    /// out of OpenSSH's range is refused before anything connects.
    @Test func bandwidthLimitStillMovesEveryByte() throws {
        let run = try SFTPRun.batchOverSSH("put tree/g g\nget g back\n", client: .paramiko) { root in
            (["-l", "20000", "-D", "'\(try Peers.paramiko())' sftp-server --home '\(root)/R'"], {})
        }
        #expect(run.status == 0)
        let hash = { (prefix: String) in run.tree.first { $0.hasPrefix(prefix) }?.split(separator: " ").last }
        #expect(hash("F L/tree/g ") != nil)
        #expect(hash("F R/g ") == hash("F L/tree/g "))
        #expect(hash("F L/back ") == hash("F L/tree/g "))
        let refused = try Peers.run([try Peers.paramiko(), "sftp", "-l", "0", "-D", "true"])
        #expect(refused.status != 0 && refused.output.contains("Invalid limit"))
    }

    @Test func batchStopsAtTheFirstFailure() throws {
        let stopped = try SFTPRun.batch(
            "mkdir a\nrmdir nothere\nmkdir b\n", client: .paramiko, server: .paramiko)
        #expect(stopped.status == 1)
        #expect(stopped.output == ["sftp> mkdir a", "sftp> rmdir nothere"])
        #expect(stopped.tree.contains("D R/a 755"))
        #expect(!stopped.tree.contains("D R/b 755"))

        let passedOver = try SFTPRun.batch(
            "mkdir a\n-rmdir nothere\nmkdir b\n", client: .paramiko, server: .paramiko)
        #expect(passedOver.status == 0)
        #expect(passedOver.output == ["sftp> mkdir a", "sftp> -rmdir nothere", "sftp> mkdir b"])
        #expect(passedOver.errors == ["remote rmdir \"ROOT/R/nothere\": No such file or directory"])
        #expect(passedOver.tree.contains("D R/b 755"))

        // A line that does not parse is a failure too, reported before its echo.
        let unparsable = try SFTPRun.batch(
            "chmod rw x\n-frobnicate\nls -z\nmkdir c\n", client: .paramiko, server: .paramiko)
        #expect(unparsable.status == 1)
        #expect(unparsable.output == ["sftp> chmod rw x"])
        #expect(unparsable.errors == ["You must supply a numeric argument to the chmod command."])
        let passedOverParse = try SFTPRun.batch(
            "-frobnicate\n-ls -z\n-put \"open\nmkdir c\nquit\nmkdir d\n", client: .paramiko, server: .paramiko)
        #expect(passedOverParse.status == 0)
        #expect(
            passedOverParse.errors == ["Invalid command.", "ls: Invalid flag -z", "Unterminated quoted argument"])
        #expect(passedOverParse.tree.contains("D R/c 755"))
        #expect(!passedOverParse.tree.contains("D R/d 755"))
    }

    @Test(.enabled(if: OpenSSHSFTP.available, "OpenSSH's sftp or sftp-server is not installed"))
    func batchStatusMatchesOpenSSH() throws {
        for script in ["mkdir a\nrmdir nothere\nmkdir b\n", "-rmdir nothere\nmkdir b\n", "bogus\n", "-bogus\nbye\n"] {
            let reference = try SFTPRun.batch(script, client: .openSSH, server: .openSSH)
            let ours = try SFTPRun.batch(script, client: .paramiko, server: .openSSH)
            #expect(ours.status == reference.status, "\(script)")
            #expect(ours.output == reference.output, "\(script)")
            #expect(ours.errors == reference.errors, "\(script)")
            #expect(ours.tree == reference.tree, "\(script)")
        }
    }

    /// Commands on standard input without `-b`: echoed, and a failure does not stop the rest.
    @Test func standardInputCommandsRunToTheEnd() throws {
        let run = try SFTPRun.standardInput("mkdir a\nrmdir nothere\nmkdir b\npwd\n", server: .paramiko)
        #expect(run.status == 0)
        #expect(
            run.output == [
                "sftp> mkdir a", "sftp> rmdir nothere", "sftp> mkdir b", "sftp> pwd",
                "Remote working directory: ROOT/R",
            ])
        #expect(run.tree.contains("D R/b 755"))
    }

    // MARK: Recursive transfers

    @Test(arguments: SFTPRun.Server.available)
    func recursiveTransfersCopyTheTree(server: SFTPRun.Server) throws {
        // The shell escape runs in the local directory and adds a link on the remote side.
        let run = try SFTPRun.batch(
            "put -r tree up\n!ln -s g ../R/up/rlink\nget -r up down\nget -r up/sub\n", client: .paramiko,
            server: server)
        #expect(run.status == 0)
        let source = run.tree.filter { $0.dropFirst(2).hasPrefix("L/tree/") }
        let withoutLinks = source.filter { !$0.hasPrefix("L ") }.map {
            $0.replacingOccurrences(of: "L/tree/", with: "")
        }
        #expect(withoutLinks.count == 5)
        #expect(source.contains("L L/tree/lnk -> sub/f"))
        #expect(source.contains("L L/tree/sub/dirlink -> deep"))
        for (prefix, side) in [("R/up/", "uploaded"), ("L/down/", "downloaded")] {
            let copy = run.tree.filter { $0.dropFirst(2).hasPrefix(prefix) && !$0.hasPrefix("L ") }
                .map { $0.replacingOccurrences(of: prefix, with: "") }
            #expect(copy == withoutLinks, "\(side)")
        }
        // The sub-tree fetched by its own name lands in the local directory under that name.
        #expect(run.tree.contains { $0.hasPrefix("F L/sub/deep/f ") })
        #expect(run.errors.contains("lnk: not a regular file"))
        #expect(run.errors.contains("dirlink: not a regular file"))
        #expect(run.errors.contains("download \"ROOT/R/up/rlink\": not a regular file"))
        #expect(run.output.contains("Entering tree/sub/deep"))
        #expect(run.output.contains("Retrieving ROOT/R/up/sub/deep"))
    }

    // MARK: Resumed transfers

    @Test(arguments: SFTPRun.Server.available)
    func resumedTransfersContinuePartialFiles(server: SFTPRun.Server) throws {
        let whole = randomBytes(3 << 20, seed: 7)
        let upload = randomBytes((2 << 20) + 12345, seed: 8)
        // The partial copies hold other bytes than the originals: a resumed transfer keeps them and adds
        // only what is missing, so the result shows that nothing before the resume point moved again.
        let localPart = [UInt8](repeating: 0x41, count: 1_000_000)
        let remotePart = [UInt8](repeating: 0x42, count: 777)
        let run = try SFTPRun.batch(
            "reget whole\nreput upload\nget -a whole whole-again\nreget whole\n-reput upload\nreput upload nothere\n",
            client: .paramiko, server: server,
            prepare: { root in
                try Data(whole).write(to: URL(fileURLWithPath: root + "/R/whole"))
                try Data(localPart).write(to: URL(fileURLWithPath: root + "/L/whole"))
                try Data(upload).write(to: URL(fileURLWithPath: root + "/L/upload"))
                try Data(remotePart).write(to: URL(fileURLWithPath: root + "/R/upload"))
            })
        let downloaded = try Data(contentsOf: URL(fileURLWithPath: run.root + "/L/whole"))
        #expect(downloaded == Data(localPart + whole[localPart.count...]))
        let uploaded = try Data(contentsOf: URL(fileURLWithPath: run.root + "/R/upload"))
        #expect(uploaded == Data(remotePart + upload[remotePart.count...]))
        // `get -a` of a file not there yet fetches all of it.
        #expect(try Data(contentsOf: URL(fileURLWithPath: run.root + "/L/whole-again")) == Data(whole))
        // Nothing left to fetch: a notice, no failure. Nothing left to send: a failure, passed over with `-`;
        // the last `reput` has no remote file to continue and ends the batch.
        #expect(run.errors.contains("File \"whole\" was not modified"))
        #expect(run.errors.contains("resume \"upload\": destination file same size or larger"))
        #expect(run.errors.last == "stat remote: No such file or directory")
        #expect(run.status == 1)
    }
}

/// Whether OpenSSH's `sftp` and `sftp-server` are here to compare with.
enum OpenSSHSFTP {
    static let client = Peers.executable("sftp")
    static var available: Bool { (client != nil && SFTPPeer.openSSHServerAvailable) || Peers.required }
}

/// One run of an sftp client in a fresh directory holding `L` (the local side, the client's working
/// directory) and `R` (the remote side, the server's start directory), with the resulting tree and output.
struct SFTPRun {
    /// Which client runs.
    enum Client { case openSSH, paramiko }

    /// Which server `-D` starts.
    enum Server: String, CustomTestStringConvertible, Sendable {
        case openSSH, paramiko

        var testDescription: String { rawValue }

        /// Every server that is installed.
        static var available: [Server] { SFTPPeer.openSSHServerAvailable ? [.openSSH, .paramiko] : [.paramiko] }
    }

    /// The directory holding `L` and `R`, removed when the last copy of this run goes.
    private let directory: SFTPRunDirectory
    /// The directory holding `L` and `R`, with symbolic links resolved.
    var root: String { directory.path }
    /// The exit status.
    let status: Int32
    /// Standard output's lines, with `root` written `ROOT`.
    let output: [String]
    /// Standard error's lines, with `root` written `ROOT`.
    let errors: [String]
    /// ``treeWithModes(_:)`` of `root` after the run.
    let tree: [String]

    /// `output` without the lines that differ from run to run: `df`'s figures and `ls -l` lines (times).
    var comparableOutput: [String] {
        var lines: [String] = []
        var afterHeader = false
        for line in output {
            defer { afterHeader = line.hasSuffix("%Capacity") }
            if afterHeader { continue }
            if line.range(of: #"^[-dlcbps][-rwxsStT]{9} "#, options: .regularExpression) != nil { continue }
            lines.append(line)
        }
        return lines
    }

    /// Runs `script` with `-b` in a fresh tree (made by ``makeTree(_:)``, then `prepare`).
    static func batch(
        _ script: String, client: Client, server: Server, prepare: (String) throws -> Void = { _ in }
    ) throws -> SFTPRun {
        try run(client: client, server: server, prepare: prepare) { root in
            let scriptPath = root + "/script"
            try Data(script.utf8).write(to: URL(fileURLWithPath: scriptPath))
            return (["-b", scriptPath], nil)
        }
    }

    /// Runs `commands` on our client's standard input, without `-b`.
    static func standardInput(_ commands: String, server: Server) throws -> SFTPRun {
        try run(client: .paramiko, server: server, prepare: { _ in }, arguments: { _ in ([], Data(commands.utf8)) })
    }

    /// Runs `script` with `-b` in a fresh tree over SSH: `connect` gets the tree's root and returns the
    /// arguments that reach the server (options and destination) and what stops it afterwards.
    static func batchOverSSH(
        _ script: String, client: Client, connect: (String) throws -> (arguments: [String], stop: () -> Void)
    ) throws -> SFTPRun {
        var stop: () -> Void = {}
        defer { stop() }
        return try run(client: client, server: nil, prepare: { _ in }) { root in
            let scriptPath = root + "/script"
            try Data(script.utf8).write(to: URL(fileURLWithPath: scriptPath))
            let connection = try connect(root)
            stop = connection.stop
            return (["-b", scriptPath] + connection.arguments, nil)
        }
    }

    private static func run(
        client: Client, server: Server?, prepare: (String) throws -> Void,
        arguments: (String) throws -> ([String], Data?)
    ) throws -> SFTPRun {
        let scratch = try Peers.temporaryDirectory("sftp-command")
        let root = URL(fileURLWithPath: scratch.path).resolvingSymlinksInPath().path
        try makeTree(root)
        try prepare(root)
        var serverArguments: [String] = []
        switch server {
        case .openSSH: serverArguments = ["-D", "\(SFTPPeer.openSSHServerPath) -d '\(root)/R'"]
        case .paramiko: serverArguments = ["-D", "'\(try Peers.paramiko())' sftp-server --home '\(root)/R'"]
        case nil: break
        }
        let program: [String]
        switch client {
        case .openSSH: program = [OpenSSHSFTP.client ?? "sftp"]
        case .paramiko: program = [try Peers.paramiko(), "sftp"]
        }
        let (extra, input) = try arguments(root)
        let command =
            "cd \(quoted(root + "/L")) && exec "
            + (program + serverArguments + extra).map(quoted).joined(separator: " ")
            + " 2>\(quoted(root + "/errors"))"
        let (status, output) = try Peers.run(["/bin/sh", "-c", command], input: input, timeout: 120)
        let errors = try String(contentsOfFile: root + "/errors", encoding: .utf8)
        for name in ["script", "errors"] { try? FileManager.default.removeItem(atPath: root + "/" + name) }
        let tree = try treeWithModes(root)
        // OpenSSH ends its diagnostics with "\r\n"; ours end with "\n".
        func lines(_ text: String) -> [String] {
            let unified = text.replacingOccurrences(of: "\r\n", with: "\n")
            return unified.split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast(unified.hasSuffix("\n") ? 1 : 0)
                .map { $0.replacingOccurrences(of: root, with: "ROOT") }
        }
        return SFTPRun(
            directory: SFTPRunDirectory(path: root), status: status, output: lines(output), errors: lines(errors),
            tree: tree)
    }

    /// `L` with a file, an executable, and a tree of three levels holding a link to a file and a link to a
    /// directory; `R` empty.
    static func makeTree(_ root: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/L/tree/sub/deep", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: root + "/R", withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: URL(fileURLWithPath: root + "/L/a.txt"))
        try Data("#!/bin/sh\necho run\n".utf8).write(to: URL(fileURLWithPath: root + "/L/run.sh"))
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/L/run.sh")
        try Data(randomBytes(300_000, seed: 1)).write(to: URL(fileURLWithPath: root + "/L/tree/g"))
        try Data(randomBytes(70_000, seed: 2)).write(to: URL(fileURLWithPath: root + "/L/tree/sub/s"))
        try Data("deep\n".utf8).write(to: URL(fileURLWithPath: root + "/L/tree/sub/deep/f"))
        try manager.createSymbolicLink(atPath: root + "/L/tree/lnk", withDestinationPath: "sub/f")
        try manager.createSymbolicLink(atPath: root + "/L/tree/sub/dirlink", withDestinationPath: "deep")
    }

    /// Every path under `root` (sorted, links not followed): `D path mode`, `F path mode sha256` or
    /// `L path -> target`.
    static func treeWithModes(_ root: String) throws -> [String] {
        let manager = FileManager.default
        var lines: [String] = []
        func walk(_ relative: String) throws {
            let directory = relative.isEmpty ? root : root + "/" + relative
            for name in try manager.contentsOfDirectory(atPath: directory) {
                let path = relative.isEmpty ? name : relative + "/" + name
                let full = root + "/" + path
                let attributes = try manager.attributesOfItem(atPath: full)
                let mode = String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8)
                switch attributes[.type] as? FileAttributeType {
                case .typeSymbolicLink?:
                    lines.append("L \(path) -> \(try manager.destinationOfSymbolicLink(atPath: full))")
                case .typeDirectory?:
                    lines.append("D \(path) \(mode)")
                    try walk(path)
                default:
                    lines.append("F \(path) \(mode) \(try sha256Hex(ofFile: full))")
                }
            }
        }
        try walk("")
        return lines.sorted()
    }

    private static func quoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// A run's directory, removed with the last run that refers to it.
final class SFTPRunDirectory: Sendable {
    let path: String

    init(path: String) {
        self.path = path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
