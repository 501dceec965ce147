import Foundation
import SSHConfig
import Testing

/// Our rendering of every fixture must equal what OpenSSH's `ssh -G` prints, line for line.
@Suite(.enabled(if: OpenSSH.path != nil || OpenSSH.isCI, "ssh is not installed"))
struct OracleTests {
    @Test(arguments: Fixtures.oracleCases())
    func matchesSSHDashG(_ oracleCase: OracleCase) throws {
        guard OpenSSH.path != nil else {
            Issue.record("ssh is required when CI=true")
            return
        }
        let path = Fixtures.materialized + "/" + oracleCase.file
        let expected = try OpenSSH.run(["-G", "-F", path] + oracleCase.arguments)
        #expect(expected.status == 0, "ssh -G failed: \(expected.error)")
        let resolved = try SSHConfig(file: path).resolve(
            host: oracleCase.host, user: oracleCase.user, port: oracleCase.port)
        let expectedLines = expected.output.split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
        let actualLines = resolved.sshGLines
        #expect(actualLines.count == expectedLines.count)
        for (index, (actual, wanted)) in zip(actualLines, expectedLines).enumerated() where actual != wanted {
            Issue.record("line \(index + 1): expected \"\(wanted)\", got \"\(actual)\"")
        }
    }

    @Test func everyKeywordIsInTheCorpus() throws {
        let path = Fixtures.directory.appendingPathComponent("oracle/55-every-keyword.conf").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let used = Set(text.split(separator: "\n").compactMap { $0.split(separator: " ").first?.lowercased() })
        for keyword in SSHConfigKeyword.allCases where ![.host, .match, .include].contains(keyword) {
            #expect(used.contains(keyword.rawValue), "\(keyword.rawValue) is not exercised")
        }
    }

    /// Relative `Include` paths of a user file are under `~/.ssh`, `~` being $HOME as glob(3) reads it.
    @Test func relativeIncludesFollowHome() throws {
        guard OpenSSH.path != nil else {
            Issue.record("ssh is required when CI=true")
            return
        }
        let home = try TemporaryDirectory()
        try home.write(".ssh/conf.d/10-a.conf", "Host a\n  User from-conf-d\n")
        try home.write(".ssh/conf.d/20-b.conf", "Host *\n  Port 2345\n")
        try home.write(".ssh/extra.conf", "Host b\n  User from-tilde\n")
        try home.write("main.conf", "Include conf.d/*.conf\nInclude ~/.ssh/extra.conf ~/.ssh/missing-*.conf\n")
        var variables = ProcessInfo.processInfo.environment
        variables["HOME"] = home.path
        var environment = SSHConfigEnvironment.current()
        environment.variables = variables
        for host in ["a", "b", "c"] {
            let expected = try OpenSSH.run(["-G", "-F", home.path + "/main.conf", host], environment: variables)
            let resolved = try SSHConfig(file: home.path + "/main.conf", environment: environment).resolve(host: host)
            #expect(resolved.sshGLines.joined(separator: "\n") + "\n" == expected.output)
        }
    }

    @Test func corpusIsLargeEnough() {
        let files = Set(Fixtures.oracleCases().map(\.file))
        #expect(files.count >= 40)
    }

    /// Bad files: `ssh` refuses them and so do we, naming the same line.
    @Test(arguments: ErrorFixtures.all)
    func rejectsWhatSSHRejects(_ fixture: ErrorFixtures.Fixture) throws {
        guard OpenSSH.path != nil else {
            Issue.record("ssh is required when CI=true")
            return
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(getpid())-\(fixture.name).conf")
            .path
        try fixture.text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = try OpenSSH.run(["-G", "-F", path, "target"])
        #expect(expected.status == 255)
        #expect(expected.error.contains("line \(fixture.line)"), "ssh said: \(expected.error)")
        let error = #expect(throws: ConfigError.self) {
            _ = try SSHConfig(file: path).resolve(host: "target")
        }
        #expect(error?.code == fixture.code)
        #expect(error?.line == fixture.line)
        #expect(error?.file == path)
    }
}

/// Files `ssh -G` rejects, with the line it names.
enum ErrorFixtures {
    struct Fixture: Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var line: Int
        var code: ConfigError.Code
        var testDescription: String { name }
    }

    static let all: [Fixture] = [
        Fixture(
            name: "unknown-keyword", text: "Host target\n  User a\n  Frobnicate yes\n", line: 3, code: .unknownKeyword),
        Fixture(name: "bad-port", text: "Host *\n  Port abc\n", line: 2, code: .badValue),
        Fixture(name: "port-zero", text: "Port 0\n", line: 1, code: .badValue),
        Fixture(name: "missing-argument", text: "Host target\n\n  User\n", line: 3, code: .missingArgument),
        Fixture(name: "extra-arguments", text: "Port 22 23\n", line: 1, code: .badValue),
        Fixture(name: "bad-quotes", text: "Host target\n  User \"unterminated\n", line: 2, code: .badQuoting),
        Fixture(name: "bad-match", text: "Match colour blue\n", line: 1, code: .badMatch),
        Fixture(name: "match-missing-criteria", text: "Match host\n", line: 1, code: .badMatch),
        Fixture(name: "match-all-combined", text: "Match all host x\n", line: 1, code: .badMatch),
        Fixture(name: "bad-cipher", text: "\nCiphers aes999-ctr\n", line: 2, code: .badValue),
        Fixture(name: "bad-flag", text: "Compression maybe\n", line: 1, code: .badValue),
        Fixture(name: "bad-time", text: "ConnectTimeout 5x\n", line: 1, code: .badValue),
        Fixture(name: "bad-integer", text: "ConnectionAttempts many\n", line: 1, code: .badValue),
        Fixture(name: "bad-escape", text: "EscapeChar ab\n", line: 1, code: .badValue),
        Fixture(name: "bad-forward", text: "LocalForward 8080\n", line: 1, code: .missingArgument),
        Fixture(name: "bad-jump", text: "ProxyJump user@:22\n", line: 1, code: .badValue),
        Fixture(name: "inactive-block-still-checked", text: "Host other\n  Port nope\n", line: 2, code: .badValue),
        Fixture(name: "bad-setenv", text: "SetEnv NOEQUALS\n", line: 1, code: .badValue),
        Fixture(name: "bad-loglevel", text: "LogLevel LOUD\n", line: 1, code: .badValue),
        Fixture(name: "none-not-alone", text: "UserKnownHostsFile none ~/.ssh/x\n", line: 1, code: .badValue),
    ]
}
