import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

/// The same known_hosts files judged by ssh itself: ssh connects through `sshd -i` started as its
/// ProxyCommand (no network, hence `proxied: true`), with `StrictHostKeyChecking yes`, and its verdict
/// must be ours.
@Suite("known_hosts verdicts agree with ssh")
struct SSHVerdictTests {
    /// What the server presents.
    enum Presented: String, Sendable {
        case plain, certificate, foreignCertificate, expiredCertificate
    }

    /// A known_hosts file, what the server presents on which port, and the verdict both must reach.
    /// In `lines`, `$key` is the server's ECDSA key, `$same` another ECDSA key, `$other` an Ed25519 key,
    /// `$ca` the CA that signed the server's certificates, `$ca2` another CA, and `HASH:name` a hashed name.
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let lines: [String]
        var presented = Presented.plain
        var port = 22
        let expected: String
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(name: "recorded", lines: ["testhost $key"], expected: "known"),
        Scenario(name: "one of several", lines: ["testhost $same", "testhost $key"], expected: "known"),
        Scenario(name: "same type differs", lines: ["testhost $same"], expected: "changed"),
        Scenario(name: "only another type recorded", lines: ["testhost $other"], expected: "changed"),
        Scenario(name: "other host only", lines: ["otherhost $key"], expected: "unknown"),
        Scenario(name: "wildcard", lines: ["test*,!nottest $key"], expected: "known"),
        Scenario(name: "negated", lines: ["*,!testhost $key"], expected: "unknown"),
        Scenario(name: "hashed", lines: ["HASH:testhost $key"], expected: "known"),
        Scenario(name: "revoked", lines: ["testhost $key", "@revoked * $key"], expected: "revoked"),
        Scenario(name: "port recorded", lines: ["[testhost]:2222 $key"], port: 2222, expected: "known"),
        Scenario(name: "port not recorded, host is", lines: ["testhost $key"], port: 2222, expected: "known"),
        Scenario(name: "port not recorded, host differs", lines: ["testhost $same"], port: 2222, expected: "unknown"),
        Scenario(
            name: "CA", lines: ["@cert-authority testhost,*.example $ca"], presented: .certificate, expected: "known"),
        Scenario(
            name: "other CA, key recorded", lines: ["@cert-authority * $ca2", "testhost $key"], presented: .certificate,
            expected: "known"),
        Scenario(
            name: "other CA, other key", lines: ["@cert-authority * $ca2", "testhost $same"], presented: .certificate,
            expected: "changed"),
        Scenario(
            name: "CA revoked", lines: ["@cert-authority * $ca", "@revoked * $ca"], presented: .certificate,
            expected: "revoked"),
        Scenario(
            name: "CA, not a principal", lines: ["@cert-authority * $ca"], presented: .foreignCertificate,
            expected: "unknown"),
        Scenario(
            name: "CA, expired", lines: ["@cert-authority * $ca"], presented: .expiredCertificate, expected: "unknown"),
        Scenario(
            name: "CA, expired, key recorded", lines: ["@cert-authority * $ca", "testhost $key"],
            presented: .expiredCertificate, expected: "known"),
    ]

    @Test(arguments: scenarios)
    func sshAgrees(_ scenario: Scenario) throws {
        guard let server = try Server.shared.get() else { return }
        let text = try server.knownHosts(scenario.lines)
        let presented = try server.key(scenario.presented)
        let ours = HostKeys(text: text).check(presented, host: "testhost", port: scenario.port, proxied: true)
        #expect(Self.kind(ours) == scenario.expected, "ours: \(ours)")
        let theirs = try server.sshVerdict(knownHosts: text, presented: scenario.presented, port: scenario.port)
        #expect(theirs == scenario.expected, "ssh said: \(theirs ?? "nothing we know")")
    }

    static func kind(_ status: HostKeyStatus) -> String {
        switch status {
        case .known: "known"
        case .changed: "changed"
        case .unknown: "unknown"
        case .revoked: "revoked"
        }
    }

    /// Keys, certificates and sshd configurations, made once for all scenarios.
    final class Server: Sendable {
        static let shared = Result { try Server.make() }

        let workspace: KnownHostsWorkspace
        let ssh: String
        let keys: [String: SSHPublicKey]
        let presented: [Presented: SSHPublicKey]

        private init(
            workspace: KnownHostsWorkspace, ssh: String, keys: [String: SSHPublicKey],
            presented: [Presented: SSHPublicKey]
        ) {
            self.workspace = workspace
            self.ssh = ssh
            self.keys = keys
            self.presented = presented
        }

        static func make() throws -> Server? {
            guard let workspace = try KnownHostsWorkspace.make() else { return nil }
            guard let ssh = Peers.executable("ssh"), let sshd = Peers.executable("sshd") else {
                if Peers.required { Issue.record("ssh and sshd are required under CI=true") }
                return nil
            }
            try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            let hostKey = try workspace.makeKey("host", type: "ecdsa")
            let keys = [
                "$key": hostKey, "$same": try workspace.makeKey("same", type: "ecdsa"),
                "$other": try workspace.makeKey("other"), "$ca2": try workspace.makeKey("ca2"),
                "$ca": try workspace.makeKey("ca"),
            ]
            var presented: [Presented: SSHPublicKey] = [.plain: hostKey]
            let certificates: [(Presented, [String], String?)] = [
                (.certificate, ["testhost"], nil), (.foreignCertificate, ["otherhost"], nil),
                (.expiredCertificate, ["testhost"], "20000101:20000201"),
            ]
            for (kind, principals, validity) in certificates {
                try workspace.write(hostKey.openSSHLine + "\n", to: "\(kind).pub")
                presented[kind] = try workspace.certify(
                    kind.rawValue, authority: "ca", principals: principals, validity: validity)
            }
            for kind in [Presented.plain, .certificate, .foreignCertificate, .expiredCertificate] {
                var config = [
                    "HostKey \(workspace.path("host"))", "UsePAM no", "StrictModes no", "PidFile none",
                    "LogLevel QUIET",
                ]
                if kind != .plain { config.append("HostCertificate \(workspace.path(kind.rawValue + "-cert.pub"))") }
                try workspace.write(config.joined(separator: "\n") + "\n", to: "sshd_config_\(kind)")
                try workspace.write(
                    "exec \(sshd) -i -f \(workspace.path("sshd_config_\(kind)"))\n", to: "proxy_\(kind)")
            }
            let server = Server(workspace: workspace, ssh: ssh, keys: keys, presented: presented)
            // sshd -i needs its privilege separation directory and root; without them there is no oracle.
            if try server.sshVerdict(knownHosts: try server.knownHosts(["testhost $key"]), presented: .plain, port: 22)
                != "known"
            {
                if Peers.required { Issue.record("sshd -i does not run here") }
                return nil
            }
            return server
        }

        func key(_ kind: Presented) throws -> SSHPublicKey {
            guard let key = presented[kind] else { throw PeerError("no \(kind) key") }
            return key
        }

        func knownHosts(_ lines: [String]) throws -> String {
            var text = ""
            var salts = SystemRandom()
            for line in lines {
                var fields = line.split(separator: " ").map(String.init)
                for index in fields.indices {
                    if let key = keys[fields[index]] {
                        fields[index] = key.openSSHLine
                    } else if fields[index].hasPrefix("HASH:") {
                        fields[index] = try HashedHostName(hashing: String(fields[index].dropFirst(5)), using: &salts)
                            .description
                    }
                }
                text += fields.joined(separator: " ") + "\n"
            }
            return text
        }

        /// What ssh says of the server's key with `knownHosts` as its only known_hosts file.
        func sshVerdict(knownHosts: String, presented: Presented, port: Int) throws -> String? {
            let file = "known_hosts_" + UUID().uuidString
            try workspace.write(knownHosts, to: file)
            let algorithm = presented == .plain ? "ecdsa-sha2-nistp256" : "ecdsa-sha2-nistp256-cert-v01@openssh.com"
            let result = try Peers.run([
                ssh, "-v", "-F", "/dev/null", "-p", String(port),
                "-o", "UserKnownHostsFile=\(workspace.path(file))", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "CheckHostIP=no",
                "-o", "UpdateHostKeys=no", "-o", "HostKeyAlgorithms=\(algorithm)",
                "-o", "PubkeyAuthentication=no", "-o", "PasswordAuthentication=no",
                "-o", "KbdInteractiveAuthentication=no",
                "-o", "ProxyCommand=/bin/sh \(workspace.path("proxy_\(presented)"))", "nobody@testhost", "true",
            ])
            let output = result.output
            if output.contains("REVOKED HOST KEY DETECTED") { return "revoked" }
            if output.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") { return "changed" }
            if output.contains("host key is known for") && output.contains("requested strict checking") {
                return "unknown"
            }
            if output.contains("is known and matches") { return "known" }
            return nil
        }
    }
}
