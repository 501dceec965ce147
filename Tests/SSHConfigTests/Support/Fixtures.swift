import Foundation
import SSHConfig
import Testing

/// Fixture paths, loaded from beside this file, and a runner for OpenSSH's `ssh -G`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The oracle corpus copied into a temporary directory with `@FIXTURES@` replaced by that directory, so
    /// `Include` lines can name absolute paths.
    static let materialized: String = {
        let source = directory.appendingPathComponent("oracle").path
        let target = FileManager.default.temporaryDirectory
            .appendingPathComponent("sshconfig-fixtures-\(getpid())").path
        try? FileManager.default.removeItem(atPath: target)
        try? FileManager.default.copyItem(atPath: source, toPath: target)
        if let walker = FileManager.default.enumerator(atPath: target) {
            for case let relative as String in walker where relative.hasSuffix(".conf") {
                let path = target + "/" + relative
                if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                    try? text.replacing("@FIXTURES@", with: target).write(
                        toFile: path, atomically: true, encoding: .utf8)
                }
            }
        }
        return target
    }()

    /// Every `# case: host [-p port] [-l user]` line of every top-level oracle fixture.
    static func oracleCases() -> [OracleCase] {
        let source = directory.appendingPathComponent("oracle").path
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: source)) ?? [])
            .filter { $0.hasSuffix(".conf") }.sorted()
        var cases: [OracleCase] = []
        for name in names {
            guard let text = try? String(contentsOfFile: source + "/" + name, encoding: .utf8) else { continue }
            let lines = text.utf8.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            for line in lines where line.hasPrefix("# case: ") {
                let words = line.dropFirst(8).split(whereSeparator: { $0 == " " || $0 == "\r" }).map(String.init)
                guard let host = words.first else { continue }
                var port: Int?
                var user: String?
                var index = 1
                while index + 1 < words.count {
                    if words[index] == "-p" { port = Int(words[index + 1]) }
                    if words[index] == "-l" { user = words[index + 1] }
                    index += 2
                }
                cases.append(OracleCase(file: name, host: host, port: port, user: user))
            }
        }
        return cases
    }
}

/// One `ssh -G` invocation of the corpus.
struct OracleCase: Sendable, CustomTestStringConvertible {
    var file: String
    var host: String
    var port: Int?
    var user: String?

    var testDescription: String {
        [file, host, port.map { "-p \($0)" }, user.map { "-l \($0)" }].compactMap { $0 }.joined(separator: " ")
    }

    var arguments: [String] {
        var result: [String] = []
        if let port { result += ["-p", String(port)] }
        if let user { result += ["-l", user] }
        return result + [host]
    }
}

/// OpenSSH's `ssh`, the reference implementation.
enum OpenSSH {
    static let path: String? = {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return directories.map { "\($0)/ssh" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Runs `ssh` with the arguments and returns its exit status, standard output and standard error.
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws
        -> (status: Int32, output: String, error: String)
    {
        let process = Process()
        if let environment { process.environment = environment }
        process.executableURL = URL(fileURLWithPath: path ?? "/usr/bin/ssh")
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}

/// An environment for unit tests: fixed user and host, no commands, no resolver.
func testEnvironment(
    home: String = "/home/tester", variables: [String: String]? = nil,
    run: @escaping @Sendable (String) -> Int32? = { _ in 1 },
    resolve: @escaping @Sendable (String) -> String? = { _ in nil },
    interfaces: @escaping @Sendable () -> [String] = { [] }
) -> SSHConfigEnvironment {
    SSHConfigEnvironment(
        localUser: "tester", userID: 1000, homeDirectory: home, localHostname: "workstation.example.net",
        variables: variables ?? ["HOME": home], runCommand: run, resolveHost: resolve, interfaceAddresses: interfaces)
}
