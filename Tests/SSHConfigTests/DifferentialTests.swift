import Foundation
import SSHConfig
import SSHTestSupport
import Testing

/// Generated configurations, from a fixed seed, must resolve as `ssh -G` resolves them: random `Host` and
/// `Match` blocks, keyword spellings, separators, quotes, comments and includes.
@Suite(.enabled(if: OpenSSH.path != nil || OpenSSH.isCI, "ssh is not installed"))
struct DifferentialTests {
    @Test(arguments: 0..<60)
    func generatedConfigMatchesSSH(_ seed: Int) throws {
        guard OpenSSH.path != nil else {
            Issue.record("ssh is required when CI=true")
            return
        }
        let directory = try TemporaryDirectory()
        var generator = ConfigGenerator(seed: UInt64(seed), directory: directory.path)
        let main = try generator.writeConfig(into: directory)
        for (host, extra) in [("web", [String]()), ("db.prod.example", ["-l", "alice", "-p", "2200"]), ("Web", [])] {
            let expected = try OpenSSH.run(["-G", "-F", main] + extra + [host])
            let user = extra.firstIndex(of: "-l").map { extra[$0 + 1] }
            let port = extra.firstIndex(of: "-p").flatMap { Int(extra[$0 + 1]) }
            do {
                let resolved = try SSHConfig(file: main).resolve(host: host, user: user, port: port)
                #expect(expected.status == 0, "ssh refused what we accepted: \(expected.error)")
                #expect(resolved.sshGLines.joined(separator: "\n") + "\n" == expected.output, "seed \(seed) \(host)")
            } catch {
                #expect(expected.status == 255, "we refused what ssh accepted: \(error)")
            }
        }
    }
}

/// A deterministic generator of plausible configuration files.
struct ConfigGenerator {
    private var random: SeededRandom
    let directory: String

    init(seed: UInt64, directory: String) {
        random = SeededRandom(seed: seed &+ 0x9E37_79B9_7F4A_7C15)
        self.directory = directory
    }

    private mutating func next() -> UInt64 { random.next() }

    private mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    private mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }

    static let values: [(String, [String])] = [
        ("User", ["alice", "bob", "%u"]), ("Port", ["22", "2222", "ssh"]),
        ("HostName", ["%h.example", "127.0.0.1", "Real"]),
        ("IdentityFile", ["~/.ssh/a", "~/.ssh/%h"]), ("SendEnv", ["A", "B C", "-A", "LC_*"]),
        ("SetEnv", ["A=1", "B=2 C=3"]),
        ("Ciphers", ["+aes128-cbc", "-aes*", "^aes256-ctr", "aes128-ctr,aes256-ctr"]),
        ("MACs", ["+hmac-md5", "-hmac-sha1*"]),
        ("KexAlgorithms", ["-*sha1", "^curve25519-sha256"]), ("HostKeyAlgorithms", ["+ssh-rsa", "ssh-ed25519*"]),
        ("ProxyJump", ["jump", "u@j:22,k", "none"]), ("ProxyCommand", ["nc %h %p", "none"]),
        ("ControlPath", ["~/.ssh/%C", "/tmp/%r@%h:%p", "none"]), ("ControlPersist", ["yes", "no", "5m"]),
        ("LocalForward", ["1 a:2", "[::1]:3 b:4", "/tmp/s /tmp/t"]), ("RemoteForward", ["5", "6 c:7"]),
        ("DynamicForward", ["1080"]), ("ServerAliveInterval", ["30", "1m", "none"]), ("ConnectTimeout", ["5", "none"]),
        ("StrictHostKeyChecking", ["yes", "no", "accept-new"]), ("UpdateHostKeys", ["yes", "no", "ask"]),
        ("UserKnownHostsFile", ["~/.ssh/kh", "none", "/a /b"]), ("VerifyHostKeyDNS", ["yes", "no"]),
        ("ClearAllForwardings", ["yes", "no"]), ("Tunnel", ["yes", "ethernet"]),
        ("CanonicalizeHostname", ["yes", "no"]),
        ("CanonicalDomains", ["x.invalid"]), ("CanonicalizeMaxDots", ["0", "2"]), ("HostKeyAlias", ["Alias"]),
        ("RemoteCommand", ["echo %h", "none"]), ("IPQoS", ["af21", "cs1 af11"]),
        ("AddKeysToAgent", ["confirm 1m", "2h"]),
        ("EscapeChar", ["none", "^A"]), ("RekeyLimit", ["1G", "default 1h"]), ("LogLevel", ["DEBUG", "error"]),
        ("PermitRemoteOpen", ["any", "a:1 [b]:*"]), ("RequestTTY", ["no", "force"]), ("StreamLocalBindMask", ["022"]),
        ("IdentityAgent", ["none", "~/%h.sock"]), ("LogVerbose", ["a b"]), ("Compression", ["yes", "no"]),
    ]
    static let hostPatterns = ["web", "db*", "*", "!web", "*.example", "Web", "!db.prod.example", "10.0.0.?"]
    static let matchCriteria = [
        "all", "host web*", "!host db*", "originalhost Web", "user alice", "!user root", "canonical", "final", "!final",
        "exec true", "exec false", "host *.example !user bob", "exec \"test %h = web\"",
    ]

    private mutating func optionLine() -> String {
        let (keyword, choices) = pick(Self.values)
        let spelled = chance(15) ? keyword.uppercased() : chance(15) ? keyword.lowercased() : keyword
        var value = pick(choices)
        if chance(10) && !value.contains(" ") { value = "\"\(value)\"" } else if chance(5) { value += " # note" }
        return "  " + spelled + pick([" ", "=", " = ", "\t"]) + value
    }

    private mutating func header() -> String {
        if chance(50) {
            var patterns: [String] = []
            for _ in 0...(next() % 3) { patterns.append(pick(Self.hostPatterns)) }
            return "Host " + patterns.joined(separator: " ")
        }
        return "Match " + pick(Self.matchCriteria)
    }

    private mutating func blocks(_ count: Int, include: String?) -> [String] {
        var lines: [String] = []
        for _ in 0..<count {
            lines.append(header())
            for _ in 0...(next() % 4) { lines.append(optionLine()) }
            if let include, chance(25) { lines.append("  Include " + include) }
            if chance(20) { lines.append("# comment") }
        }
        return lines
    }

    /// Writes an included file and the main file; returns the main file's path.
    mutating func writeConfig(into directory: TemporaryDirectory) throws -> String {
        let included = directory.path + "/included.conf"
        try directory.write("included.conf", blocks(2, include: nil).joined(separator: "\n") + "\n")
        var lines = chance(30) ? ["Include " + included] : []
        lines += blocks(Int(2 + next() % 4), include: included)
        try directory.write("main.conf", lines.joined(separator: "\n") + "\n")
        return directory.path + "/main.conf"
    }
}
