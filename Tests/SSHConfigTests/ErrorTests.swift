import Foundation
import SSHConfig
import Testing

/// Every kind of bad input is an error naming the file and line, as `ssh` reports it.
struct ErrorTests {
    private func error(in text: String, name: String = "test.conf", host: String = "target") -> ConfigError? {
        #expect(throws: ConfigError.self) {
            _ = try SSHConfig(text: text, name: name, environment: testEnvironment()).resolve(host: host)
        }
    }

    /// Resolves `h` from a file as `ssh -F` reads it.
    private func resolveFile(_ path: String) throws(ConfigError) -> SSHResolvedConfig {
        try SSHConfig(file: path, environment: testEnvironment()).resolve(host: "h")
    }

    /// The error resolving `h` from a file, recorded as an issue when there is none.
    private func fileError(_ path: String) -> ConfigError? {
        #expect(throws: ConfigError.self) { _ = try resolveFile(path) }
    }

    @Test(arguments: [
        ("Host target\n  Frobnicate yes\n", 2, ConfigError.Code.unknownKeyword, "Bad configuration option: frobnicate"),
        ("Port abc\n", 1, .badValue, "Bad port 'abc'."),
        ("Port\n", 1, .missingArgument, "no argument after keyword \"port\""),
        ("User # only a comment\n", 1, .missingArgument, "Missing argument."),
        ("Port 1 2\n", 1, .badValue, "keyword port extra arguments at end of line"),
        ("User \"open\n", 1, .badQuoting, "invalid quotes"),
        ("Match sometimes x\n", 1, .badMatch, "Unsupported Match attribute sometimes"),
        ("Match user\n", 1, .badMatch, "Missing Match criteria for user"),
        ("Match all final\n", 1, .badMatch, "'all' cannot be combined with other Match attributes"),
        ("Match #\n", 1, .badMatch, "One or more attributes required for Match"),
        ("Match localnetwork 10.0.0.1/8\n", 1, .badMatch, "Invalid CIDR list 10.0.0.1/8"),
        ("\n\nCiphers nope\n", 3, .badValue, "Bad SSH2 cipher spec 'nope'."),
        ("MACs +nope\n", 1, .badValue, "Bad SSH2 MAC spec '+nope'."),
        ("KexAlgorithms x\n", 1, .badValue, "Bad SSH2 KexAlgorithms 'x'."),
        ("HostKeyAlgorithms zz*\n", 1, .badValue, "Bad key types 'zz*'."),
        ("Compression sometimes\n", 1, .badValue, "unsupported option \"sometimes\"."),
        ("ServerAliveInterval 5q\n", 1, .badValue, "invalid time value."),
        ("ConnectionAttempts -1\n", 1, .badValue, "integer value too small."),
        ("EscapeChar xy\n", 1, .badValue, "Bad escape character."),
        ("LocalForward 80\n", 1, .missingArgument, "Missing target argument."),
        ("DynamicForward host:port:extra\n", 1, .badValue, "Bad forwarding specification."),
        ("ProxyJump @host\n", 1, .badValue, "Invalid ProxyJump \"@host\""),
        ("SendEnv A=B\n", 1, .badValue, "Invalid environment name."),
        ("SetEnv NAME\n", 1, .badValue, "Invalid SetEnv."),
        ("IPQoS fast\n", 1, .badValue, "Bad IPQoS value: fast"),
        ("TunnelDevice x:y\n", 1, .badValue, "Bad tun device."),
        ("RekeyLimit 8\n", 1, .badValue, "RekeyLimit too small"),
        ("ControlPersist sometimes\n", 1, .badValue, "Bad ControlPersist argument."),
        ("FingerprintHash crc32\n", 1, .badValue, "Invalid hash algorithm \"crc32\"."),
        ("Host other\n  Port abc\n", 2, .badValue, "Bad port 'abc'."),
        ("IdentityAgent ${NOT_SET_ANYWHERE}\n", 1, .badValue, "Invalid environment expansion ${NOT_SET_ANYWHERE}."),
    ])
    func rejects(_ text: String, _ line: Int, _ code: ConfigError.Code, _ detail: String) {
        let error = error(in: text)
        #expect(error?.code == code)
        #expect(error?.file == "test.conf")
        #expect(error?.line == line)
        #expect(error?.detail == detail)
        #expect(error?.description == "test.conf line \(line): \(detail)")
    }

    @Test func ignoreUnknownListsKeywords() throws {
        let text = "IgnoreUnknown UseKeychain,Add*\nUseKeychain yes\nAddSomething 1\n"
        let resolved = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "h")
        #expect(resolved.string(.ignoreUnknown) == "UseKeychain,Add*")
        #expect(error(in: "IgnoreUnknown Other\nUseKeychain yes\n")?.code == .unknownKeyword)
        // IgnoreUnknown only counts where it applies, and only for lines after it.
        #expect(error(in: "UseKeychain yes\nIgnoreUnknown UseKeychain\n")?.line == 1)
        #expect(error(in: "Host nomatch\n IgnoreUnknown UseKeychain\nHost *\n UseKeychain yes\n")?.line == 4)
    }

    @Test func deprecatedAndUnsupportedKeywordsAreAccepted() throws {
        let text = "Protocol 2\nUseRoaming no\nRSAAuthentication yes\nCompressionLevel 6\n"
        _ = try SSHConfig(text: text, environment: testEnvironment()).resolve(host: "h")
    }

    @Test func missingFileNamedWithFlagF() {
        let missing = "/nonexistent/dir/config"
        let error = fileError(missing)
        #expect(error?.code == .unreadableFile)
        #expect(error?.file == missing)
    }

    @Test func devNullAndDirectoriesAsFlagF() throws {
        // `ssh -F /dev/null` is the usual way to read no file: it is empty, not unreadable.
        let resolved = try resolveFile("/dev/null")
        #expect(resolved.port == 22)
        let directory = try TemporaryDirectory()
        #expect(fileError(directory.path)?.code == .unreadableFile)
    }

    @Test func includeLoopIsAnError() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a.conf", "Host *\n  Include \(directory.path)/b.conf\n")
        try directory.write("b.conf", "Include \(directory.path)/a.conf\n")
        let error = fileError(directory.path + "/a.conf")
        #expect(error?.code == .includeLoop)
        #expect(error?.file == directory.path + "/b.conf")
        #expect(error?.line == 1)
    }

    @Test func includeDepthIsLimited() throws {
        let directory = try TemporaryDirectory()
        for level in 0..<20 {
            try directory.write("level\(level).conf", "Include \(directory.path)/level\(level + 1).conf\n")
        }
        try directory.write("level20.conf", "User deep\n")
        let error = fileError(directory.path + "/level0.conf")
        #expect(error?.code == .includeTooDeep)
        #expect(error?.file == directory.path + "/level16.conf")
        // Sixteen levels below the top file are fine.
        try directory.write("level16.conf", "User deep\n")
        let resolved = try resolveFile(directory.path + "/level0.conf")
        #expect(resolved.user == "deep")
    }

    @Test func writableIncludeIsRefused() throws {
        let directory = try TemporaryDirectory()
        try directory.write("main.conf", "Include \(directory.path)/shared.conf\n")
        try directory.write("shared.conf", "User shared\n")
        chmod(directory.path + "/shared.conf", 0o666)
        let error = fileError(directory.path + "/main.conf")
        #expect(error?.code == .insecureFile)
        #expect(error?.file == directory.path + "/shared.conf")
        chmod(directory.path + "/shared.conf", 0o644)
        let resolved = try resolveFile(directory.path + "/main.conf")
        #expect(resolved.user == "shared")
    }

    @Test func systemFileMayNotIncludeFromHome() throws {
        let directory = try TemporaryDirectory()
        try directory.write("system.conf", "Include ~/.ssh/extra.conf\n")
        let config = SSHConfig(
            sources: [.file(path: directory.path + "/system.conf", isUserConfig: false)],
            environment: testEnvironment())
        let error = #expect(throws: ConfigError.self) { _ = try config.resolve(host: "h") }
        #expect(error?.detail == "bad include path ~/.ssh/extra.conf.")
    }

    @Test func jumpHostLoop() throws {
        #expect(error(in: "Host target\n  ProxyJump target\n")?.detail == "jumphost loop via target")
        let elsewhere = try SSHConfig(text: "ProxyJump target:2222\n", environment: testEnvironment())
            .resolve(host: "target")
        #expect(elsewhere.proxyJump?.port == 2222)
    }

    @Test func fallbackLocalOffAndUnresolvable() {
        let text = "CanonicalizeHostname yes\nCanonicalDomains example.test\nCanonicalizeFallbackLocal no\n"
        let error = error(in: text, host: "ghost")
        #expect(error?.code == .unresolvableHost)
    }
}

/// A directory removed when the value is released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("sshconfig-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
