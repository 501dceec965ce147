import ArgumentParser
import Foundation
import NIOCore
import SFTP
import SSHAuth
import SSHClient
import SSHConnection
import SSHCrypto
import SSHServer
import SSHTransport
import SSHWire

/// `paramiko demo` (what `make demo` runs): starts `paramiko serve` on 127.0.0.1 with an
/// ephemeral host key and a generated user key, walks the Swift client through connect, exec,
/// a pty, SFTP up and down with a SHA-256 check and a local forwarding, then OpenSSH's `ssh`
/// and `sftp` against the same server; prints what ran and how long it took, and stops
/// everything it started.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Show the client and server at work on 127.0.0.1.")

    @Option(help: "Size of the file sent over SFTP, in MiB.")
    var megabytes = 64

    func run() async throws {
        var steps = DemoSteps()
        let directory = NSTemporaryDirectory() + "paramiko-demo-\(getpid())"
        let root = directory + "/root"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let userKey = try SSHPrivateKey.generate(.ed25519)
        let keyPath = directory + "/id_ed25519"
        try userKey.write(to: keyPath)
        try (userKey.publicKey.openSSHLine + "\n").write(toFile: directory + "/authorized_keys", atomically: true, encoding: .utf8)

        let serve = try await steps.run("start paramiko serve") {
            try await DemoServer.start(
                executable: CommandLine.arguments[0], authorizedKeys: directory + "/authorized_keys", root: root)
        }
        defer { serve.stop() }
        print("  \(serve.banner)")

        var strategy = AuthStrategy()
        strategy.keyFiles = [keyPath]
        strategy.lookForKeys = false
        strategy.identitiesOnly = true
        let client = try await steps.run("connect and authenticate") {
            try await SSHClient.connect(
                host: "127.0.0.1", port: serve.port, username: NSUserName(), authentication: strategy,
                hostKeyPolicy: .custom { key, _, _ in key.fingerprint() == serve.fingerprint })
        }
        print("  host key \(client.hostKey?.fingerprint() ?? "none") (\(client.negotiated.hostKey))")
        print("  \(client.negotiated)")

        let uname = try await steps.run("run a command") { try await client.run("uname -sr") }
        print("  uname -sr: \(uname.output.trimmingCharacters(in: .whitespacesAndNewlines)), exit \(uname.exitStatus ?? 255)")

        let tty = try await steps.run("run a command on a pty") {
            let terminal = ChannelRequestType.PseudoTerminal(
                term: "xterm-256color", size: .init(columns: 100, rows: 30, widthPixels: 0, heightPixels: 0))
            let channel = try await client.exec("tty; stty size", terminal: terminal)
            var text = ""
            for try await output in channel.output {
                if case .stdout(let data) = output { text += String(buffer: data) }
            }
            return text
        }
        print("  " + tty.split(whereSeparator: \.isNewline).joined(separator: ", "))

        let local = directory + "/upload.bin"
        let back = directory + "/download.bin"
        try DemoFiles.writeRandom(local, megabytes: megabytes)
        let sftp = try await client.openSFTP()
        let size = UInt64(megabytes) << 20
        _ = try await steps.run("SFTP upload \(megabytes) MiB") {
            try await DemoFiles.withMeter(name: "upload.bin", total: size) { options in
                try await sftp.put(local, to: "/demo.bin", options: options)
            }
        }
        _ = try await steps.run("SFTP download \(megabytes) MiB") {
            try await DemoFiles.withMeter(name: "demo.bin", total: size) { options in
                try await sftp.get("/demo.bin", to: back, options: options)
            }
        }
        await sftp.close()
        let same = try DemoFiles.sha256(local) == DemoFiles.sha256(back)
        print("  SHA-256 \(same ? "matches" : "DIFFERS")")
        guard same else { throw ExitCode(1) }

        let forwarded = try await steps.run("forward a local port") {
            let listener = try await client.forwardLocal(
                listen: .tcp(host: "127.0.0.1", port: 0), to: "127.0.0.1", port: serve.port)
            defer { listener.close() }
            // Through the forwarding to the server's own port: its identification line comes back.
            let socket = try await ForwardingListener.Address.tcp(host: "127.0.0.1", port: listener.localAddress?.port ?? 0)
                .connect()
            guard let socket else { throw SSHClientError(.connectionFailed, "the forwarded port did not answer") }
            return try await socket.executeThenClose { inbound, _ in
                var iterator = inbound.makeAsyncIterator()
                return try await iterator.next().map { String(buffer: $0) } ?? ""
            }
        }
        let identification = forwarded.split(separator: "\r\n").first.map(String.init) ?? forwarded
        print("  through the tunnel: \(identification)")
        try await steps.run("disconnect") { await client.close() }

        let ssh = [
            "ssh", "-F", "/dev/null", "-i", keyPath, "-p", "\(serve.port)", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        ]
        if DemoProcess.available("ssh") {
            let greeting = try await steps.run("OpenSSH ssh runs a command") {
                try await DemoProcess.output(ssh + ["\(NSUserName())@127.0.0.1", "echo hello from OpenSSH ssh"])
            }
            print("  \(greeting.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        if DemoProcess.available("sftp") {
            let batch = directory + "/batch"
            try "put \(local) /openssh.bin\nget /openssh.bin \(directory)/openssh.bin\nls -l /\n".write(
                toFile: batch, atomically: true, encoding: .utf8)
            var sftpArguments = ssh
            sftpArguments[0] = "sftp"
            sftpArguments[sftpArguments.firstIndex(of: "-p")!] = "-P"
            _ = try await steps.run("OpenSSH sftp puts and gets") {
                try await DemoProcess.output(sftpArguments + ["-b", batch, "\(NSUserName())@127.0.0.1"])
            }
            let equal = try DemoFiles.sha256(local) == DemoFiles.sha256(directory + "/openssh.bin")
            print("  SHA-256 \(equal ? "matches" : "DIFFERS")")
            guard equal else { throw ExitCode(1) }
        }
        try await steps.run("stop paramiko serve (SIGTERM)") { try await serve.terminate() }
        steps.printTable()
    }
}
