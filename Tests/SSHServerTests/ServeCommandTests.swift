import Foundation
import SSHCrypto
import SSHTestSupport
import Testing

/// `paramiko serve` as a process: OpenSSH's ssh and sftp against it, password logins through
/// password and keyboard-interactive, and SIGTERM in the middle of a transfer.
@Suite(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"), .serialized)
struct ServeCommandTests {
    struct Served {
        let pid: pid_t
        let port: Int
        let directory: URL
        let root: URL
        let keyPath: String

        /// What `paramiko serve` logged so far, for a failure's message.
        var log: String {
            (try? String(contentsOf: directory.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
        }

        func ssh(_ options: [String] = [], _ command: String) -> [String] {
            [
                Peers.executable("ssh") ?? "ssh", "-F", "/dev/null", "-p", "\(port)", "-i", keyPath, "-o", "IdentitiesOnly=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR",
            ] + options + ["tester@127.0.0.1", command]
        }
    }

    /// `paramiko serve` with a test account, `extra` arguments, and the command run through `launcher`.
    static func serve(
        extra: (URL) throws -> [String] = { _ in [] }, launcher: @Sendable @escaping ([String]) -> [String] = { $0 }
    ) async throws -> Served {
        let directory = try Peers.temporaryDirectory("paramiko-serve")
        let root = directory.appendingPathComponent("root")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let key = try SSHPrivateKey.generate(.ed25519)
        let keyPath = directory.appendingPathComponent("id_ed25519").path
        try key.write(to: keyPath)
        let authorized = directory.appendingPathComponent("authorized_keys").path
        try (key.publicKey.openSSHLine + "\n").write(toFile: authorized, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("serve.log").path
        let (pid, port) = try PeerSpawn.startServe(
            [
                "--authorized-keys", authorized, "--password", "tester:open-sesame", "--root", root.path,
                "--allow-exec", "--allow-forwarding",
            ] + extra(directory), log: log, environment: ["SHELL": "/bin/sh"], launcher: launcher)
        return Served(pid: pid, port: port, directory: directory, root: root, keyPath: keyPath)
    }

    /// Waits for `pid` on a thread of its own; its exit status, or nil when it was killed.
    static func exitStatus(of pid: pid_t) async throws -> Int32? {
        try await Peers.detached {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil
        }
    }

    /// SHA-1 RSA login signatures are refused unless `--pubkey-accepted-algorithms` adds them, as
    /// sshd's PubkeyAcceptedAlgorithms does since OpenSSH 8.8.
    @Test func sha1RSALoginsOnlyWhenAccepted() async throws {
        let key = try SSHPrivateKey.generate(.rsa, bits: 2048)
        for accepted in [nil, "+ssh-rsa"] as [String?] {
            let served = try await Self.serve(extra: { directory in
                let keys = directory.appendingPathComponent("rsa_keys").path
                try (key.publicKey.openSSHLine + "\n").write(toFile: keys, atomically: true, encoding: .utf8)
                try key.write(to: directory.appendingPathComponent("id_rsa").path)
                return ["--authorized-keys", keys] + (accepted.map { ["--pubkey-accepted-algorithms", $0] } ?? [])
            })
            defer {
                kill(served.pid, SIGKILL)
                try? FileManager.default.removeItem(at: served.directory)
            }
            let rsa = served.directory.appendingPathComponent("id_rsa").path
            let login = try await Peers.runDetached(
                served.ssh(["-i", rsa, "-o", "PubkeyAcceptedAlgorithms=ssh-rsa"], "echo in"))
            #expect(login.status == (accepted == nil ? 255 : 0), "\(accepted ?? "default"): \(login.output)")
            let sha2 = try await Peers.runDetached(
                served.ssh(["-i", rsa, "-o", "PubkeyAcceptedAlgorithms=rsa-sha2-256"], "echo in"))
            #expect(sha2.status == 0 && sha2.output.contains("in"), "\(sha2.output)")
        }
        let bad = try await Peers.runDetached(
            [try Peers.paramiko(), "serve", "--listen", "127.0.0.1:0", "--pubkey-accepted-algorithms", "no-such-algorithm"])
        #expect(bad.status != 0 && bad.output.contains("--pubkey-accepted-algorithms"), "\(bad.output)")
    }

    @Test func opensshClientsAgainstServe() async throws {
        let served = try await Self.serve()
        defer {
            kill(served.pid, SIGKILL)
            try? FileManager.default.removeItem(at: served.directory)
        }
        let exec = try await Peers.runDetached(served.ssh([], "pwd; echo err >&2; exit 6"))
        #expect(exec.status == 6, "\(exec.output)\n\(served.log)")
        #expect(exec.output.contains(served.root.path) && exec.output.contains("err"), "\(exec.output)")
        // SFTP is confined to the root: "/" is the root directory.
        let batch = served.directory.appendingPathComponent("batch").path
        try "put \(served.keyPath) /copied\nls /\n".write(toFile: batch, atomically: true, encoding: .utf8)
        let sftp = try await Peers.runDetached([
            Peers.executable("sftp") ?? "sftp", "-F", "/dev/null", "-P", "\(served.port)", "-i", served.keyPath,
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-b", batch, "tester@127.0.0.1",
        ])
        #expect(sftp.status == 0, "\(sftp.output)")
        #expect(FileManager.default.fileExists(atPath: served.root.appendingPathComponent("copied").path))
        // A password through keyboard-interactive, as sshd with PAM asks it (sshpass-free: paramiko types it).
        let python = try #require(Peers.executable("python3"))
        let script = """
            import paramiko, sys
            t = paramiko.Transport(("127.0.0.1", int(sys.argv[1])))
            t.start_client(timeout=10)
            print(t.auth_interactive("tester", lambda title, instructions, prompts: ["open-sesame"] * len(prompts)))
            t.close()
            """
        let interactive = try await Peers.runDetached([python, "-c", script, "\(served.port)"])
        #expect(interactive.output.contains("[]"), "\(interactive.output)")
        kill(served.pid, SIGTERM)
        #expect(try await Self.exitStatus(of: served.pid) == 0)
    }

    /// OpenSSH's ssh against `paramiko serve` with aes128-ctr and only one UMAC name offered:
    /// 3 MB of text through `cat` and back, in packets of up to 32 KiB whose MACs each side
    /// checks, come back unchanged.
    @Test(arguments: MACAlgorithm.supported.filter { $0.kind == .umac })
    func opensshClientUnderUMAC(mac: MACAlgorithm) async throws {
        let served = try await Self.serve()
        defer {
            kill(served.pid, SIGKILL)
            try? FileManager.default.removeItem(at: served.directory)
        }
        var random = SystemRandom()
        let text = Data(random.bytes(2_250_000)).base64EncodedData()
        let echoed = try await Peers.runDetached(
            served.ssh(["-o", "Ciphers=aes128-ctr", "-o", "MACs=\(mac.name)"], "cat"), input: text)
        #expect(echoed.status == 0, "\(echoed.output.prefix(2000))\n\(served.log)")
        #expect(echoed.output.utf8.count == text.count)
        #expect(Data(echoed.output.utf8) == text)
    }

    @Test(.enabled(if: Peers.available("sftp"), "OpenSSH sftp is not installed"))
    func demoRunsEveryStep() async throws {
        let result = try await Peers.runDetached([try Peers.paramiko(), "demo", "--megabytes", "2"], timeout: 120)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.components(separatedBy: "SHA-256 matches").count == 3)
        #expect(result.output.contains("hello from OpenSSH ssh"))
        #expect(result.output.contains("stop paramiko serve (SIGTERM)"))
    }

    @Test(.enabled(if: Peers.available("ssh-keygen"), "ssh-keygen is not installed"))
    func hostKeysOfSeveralTypesAndACertificate() async throws {
        let keygen = Peers.executable("ssh-keygen") ?? "ssh-keygen"
        let served = try await Self.serve { directory in
            for (type, name) in [("ed25519", "host_ed25519"), ("ecdsa", "host_ecdsa"), ("rsa", "host_rsa")] {
                _ = try Peers.run([keygen, "-q", "-t", type, "-N", "", "-f", directory.appendingPathComponent(name).path])
            }
            _ = try Peers.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", directory.appendingPathComponent("ca").path])
            _ = try Peers.run([
                keygen, "-q", "-s", directory.appendingPathComponent("ca").path, "-I", "host", "-h", "-n", "127.0.0.1",
                directory.appendingPathComponent("host_ed25519.pub").path,
            ])
            return ["ed25519", "ecdsa", "rsa"].flatMap { ["--host-key", directory.appendingPathComponent("host_\($0)").path] }
                + ["--host-certificate", directory.appendingPathComponent("host_ed25519-cert.pub").path]
        }
        defer {
            kill(served.pid, SIGKILL)
            try? FileManager.default.removeItem(at: served.directory)
        }
        // Each type is offered; ssh picks what it asks for.
        for algorithm in ["ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-ed25519"] {
            let result = try await Peers.runDetached(served.ssh(["-o", "HostKeyAlgorithms=\(algorithm)"], "echo \(algorithm)"))
            #expect(result.output == "\(algorithm)\n", "status \(result.status): \(result.output)\n\(served.log)")
        }
        // The certificate is trusted through @cert-authority with strict checking.
        let ca = try String(contentsOf: served.directory.appendingPathComponent("ca.pub"), encoding: .utf8)
        let knownHosts = served.directory.appendingPathComponent("known_hosts").path
        try "@cert-authority 127.0.0.1 \(ca)".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        var arguments = served.ssh(["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)"], "echo certified")
        // ssh keeps an option's first value: the workspace's StrictHostKeyChecking=no and /dev/null go.
        if let index = arguments.firstIndex(of: "StrictHostKeyChecking=no") { arguments.removeSubrange((index - 1)...index) }
        if let index = arguments.firstIndex(of: "UserKnownHostsFile=/dev/null") { arguments.removeSubrange((index - 1)...index) }
        let certified = try await Peers.runDetached(arguments)
        #expect(certified.output == "certified\n", "\(certified.output)")
    }

    /// Waits (30 s at most) until some process has `argument` on its command line.
    static func waitForProcess(withArgument argument: String) async throws {
        for _ in 0..<3000 {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for entry in entries where Int32(entry) != nil && Int32(entry) != getpid() {
                guard let line = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                let words = line.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if words.first.map({ $0.hasSuffix("head") }) == true, words.contains(argument) { return }
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test func sigtermDuringATransferEndsItAndExitsZero() async throws {
        let served = try await Self.serve()
        defer { try? FileManager.default.removeItem(at: served.directory) }
        let quoted = served.ssh([], "head -c 100000000000 /dev/zero").map { "'\($0)'" }.joined(separator: " ")
        let transfer = Task { try await Peers.runDetached(["/bin/sh", "-c", "\(quoted) | wc -c"], timeout: 30) }
        // SIGTERM once the server runs the command and data flows, however loaded the machine is.
        try await Self.waitForProcess(withArgument: "100000000000")
        try await Task.sleep(for: .milliseconds(300))
        kill(served.pid, SIGTERM)
        let status = try await Self.exitStatus(of: served.pid)
        #expect(status == 0)
        let result = try await transfer.value
        // The client saw the connection end (it did not hang) after some data.
        #expect(result.status != -1)
        let counted = result.output.split(whereSeparator: \.isNewline).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        #expect((counted.last ?? 0) > 0, "\(result.output.debugDescription)\n\(served.log)")
    }
}
