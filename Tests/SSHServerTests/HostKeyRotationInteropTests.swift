import Foundation
import SSHAuth
import SSHClient
import SSHCrypto
import SSHServer
import SSHTestSupport
import SSHTransport
import Testing

/// Host key rotation (OpenSSH PROTOCOL §2.5) end to end: our client's UpdateHostKeys against
/// sshd, beside OpenSSH's ssh on a copy of the same known_hosts file; and ssh and our client
/// learning the keys our server announces.
@Suite(.enabled(if: Peers.available("sshd") && Peers.available("ssh"), "OpenSSH is not installed"))
struct HostKeyRotationInteropTests {
    static func line(_ name: String, _ key: SSHPublicKey) -> String {
        "\(name) \(key.keyType) \(Data(key.blob).base64EncodedString())"
    }

    static func lines(_ path: String) throws -> Set<String> {
        Set(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init))
    }

    /// `ssh` logging in with `key` and known_hosts `file`, UpdateHostKeys on.
    static func ssh(port: Int, user: String, key: String, file: String, _ extra: [String] = []) async throws -> String {
        let ssh = try #require(Peers.executable("ssh"))
        return try await Peers.runDetached(
            [ssh, "-F", "/dev/null", "-p", "\(port)", "-i", key] + extra + [
                "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(file)", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "UpdateHostKeys=yes", "\(user)@127.0.0.1", "true",
            ], timeout: 30
        ).output
    }

    /// Our client doing the same through the library.
    static func ours(port: Int, user: String, key: SSHPrivateKey, file: String, algorithms: [String]? = nil) async throws {
        var strategy = AuthStrategy()
        strategy.keys = [key]
        strategy.lookForKeys = false
        var configuration = SSHClientConfiguration()
        configuration.updatesHostKeys = true
        if let algorithms { configuration.transport.algorithms.hostKey = algorithms }
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: port, username: user, authentication: strategy,
            hostKeyPolicy: .knownHosts([file], unknown: .reject), configuration: configuration)
        _ = try await client.run("true")
        await client.close()
    }

    @Test func ourClientUpdatesKnownHostsAsSshDoes() async throws {
        let directory = try Peers.temporaryDirectory("rotation")
        defer { try? FileManager.default.removeItem(at: directory) }
        let sshd = try await OpenSSHServer.start(hostKeyTypes: ["ed25519", "ecdsa", "rsa"])
        defer { sshd.stop() }
        let user = try SSHPrivateKey.generate(.ed25519)
        let keyFile = directory.appendingPathComponent("id").path
        try user.write(to: keyFile)
        try sshd.authorize([Self.line("", user.publicKey).trimmingCharacters(in: .whitespaces)])
        let name = "[127.0.0.1]:\(sshd.port)"
        let current = try SSHPublicKey(blob: try sshd.hostKeyBlob("ed25519"))
        let stale = try SSHPrivateKey.generate(.ecdsaP384).publicKey
        let unrelated = try SSHPrivateKey.generate(.ed25519).publicKey
        let login = NSUserName()

        func run(_ start: [String], algorithms: [String]? = nil) async throws -> (theirs: Set<String>, ours: Set<String>) {
            let theirs = directory.appendingPathComponent("theirs").path
            let ours = directory.appendingPathComponent("ours").path
            for path in [theirs, ours] { try (start.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8) }
            let extra = algorithms.map { ["-o", "HostKeyAlgorithms=\($0.joined(separator: ","))"] } ?? []
            let log = try await Self.ssh(port: sshd.port, user: login, key: keyFile, file: theirs, extra)
            try await Self.ours(port: sshd.port, user: login, key: user, file: ours, algorithms: algorithms)
            #expect(!log.contains("Permission denied"), "\(log)")
            return (try Self.lines(theirs), try Self.lines(ours))
        }

        // A new ECDSA and RSA key are learned, the stale ECDSA key goes, other lines stay.
        let start = [
            "@cert-authority *.test \(Self.line("", unrelated).trimmingCharacters(in: .whitespaces))",
            Self.line(name, current), Self.line(name, stale), Self.line("other.test", unrelated),
        ]
        let updated = try await run(start)
        #expect(updated.ours == updated.theirs)
        #expect(updated.ours.count == 5)
        #expect(!updated.ours.contains(Self.line(name, stale)))
        #expect(updated.ours.contains(Self.line(name, try SSHPublicKey(blob: try sshd.hostKeyBlob("ecdsa")))))
        #expect(updated.ours.contains(Self.line("other.test", unrelated)))

        // The stale key is also another host's: nothing changes, for either.
        let shared = [Self.line(name, current), Self.line(name, stale), Self.line("other.test", stale)]
        let kept = try await run(shared)
        #expect(kept.ours == Set(shared) && kept.theirs == Set(shared))

        // Only Ed25519 allowed: nothing is learned, the stale key still goes.
        let narrow = try await run([Self.line(name, current), Self.line(name, stale)], algorithms: ["ssh-ed25519"])
        #expect(narrow.ours == narrow.theirs)
        #expect(narrow.ours == [Self.line(name, current)])
    }

    @Test func sshAndOurClientLearnOurServersKeys() async throws {
        let hostKeys = [
            try SSHPrivateKey.generate(.ed25519), try SSHPrivateKey.generate(.ecdsaP256),
            try SSHPrivateKey.generate(.rsa, bits: 2048),
        ]
        for announces in [true, false] {
            var configuration = SSHServerConfiguration()
            configuration.transport.hostKeys = Array(hostKeys.dropFirst())
            configuration.announcesHostKeys = announces
            let workspace = try await ServerWorkspace.start(configuration: configuration)
            let name = "[127.0.0.1]:\(workspace.server.port)"
            let first = Self.line(name, workspace.hostKey.publicKey)
            let everything = Set([first] + hostKeys.dropFirst().map { Self.line(name, $0.publicKey) })
            let theirs = workspace.directory.appendingPathComponent("theirs").path
            let ours = workspace.directory.appendingPathComponent("ours").path
            for path in [theirs, ours] { try (first + "\n").write(toFile: path, atomically: true, encoding: .utf8) }

            let log = try await Self.ssh(
                port: workspace.server.port, user: "tester", key: workspace.keyPath, file: theirs,
                ["-o", "HostKeyAlgorithms=ssh-ed25519,ecdsa-sha2-nistp256,rsa-sha2-512,rsa-sha2-256"])
            #expect(!log.contains("Permission denied"), "\(log)")
            let clientKey = try SSHPrivateKey(path: workspace.keyPath)
            try await Self.ours(port: workspace.server.port, user: "tester", key: clientKey, file: ours)
            #expect(try Self.lines(theirs) == (announces ? everything : [first]), "announces: \(announces)")
            #expect(try Self.lines(ours) == (announces ? everything : [first]), "announces: \(announces)")
            await workspace.stop()
        }
    }
}
