import Foundation
import SSHCrypto
import Testing

/// Fixture files and external tools for the key tests.
enum KeyFixtures {
    static let passphrase = "correct horse"

    static let directory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/keys")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func text(_ name: String) throws -> String {
        try String(contentsOfFile: path(name), encoding: .utf8)
    }

    /// Private key fixtures: (file name, encrypted?).
    static let privateKeys: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { name in
            (name.hasPrefix("openssh_") || name.hasPrefix("pkcs8_") || name.hasPrefix("pem_"))
                && !name.contains(".") && name != "pem_rsa768"
        }.sorted()
    }()

    static func isEncrypted(_ name: String) -> Bool {
        name.hasSuffix("_enc") || name.hasPrefix("openssh_ed25519_aes") || name.hasPrefix("openssh_ed25519_chacha")
    }

    static func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("paramiko-keys-" + UUID().uuidString)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Runs command-line tools (ssh-keygen, openssl) as subprocesses.
enum ExternalTool {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static let sshKeygen = find("ssh-keygen")
    static let openssl = find("openssl")

    /// Whether tests that need `tool` run: they do when it is installed; under `CI=true` a missing tool
    /// is a failure rather than a skip.
    static func available(_ tool: String?) -> Bool {
        if tool != nil { return true }
        if ProcessInfo.processInfo.environment["CI"] == "true" {
            Issue.record("required tool missing under CI=true")
        }
        return false
    }

    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    static func run(_ tool: String, _ arguments: [String], stdin: Data? = nil) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }
}

extension String {
    var trimmedLine: String { trimmingCharacters(in: .whitespacesAndNewlines) }

    /// The first two space-separated fields: `type base64` of a public key line.
    var keyFields: String { trimmedLine.split(separator: " ").prefix(2).joined(separator: " ") }
}

/// Expects `body` to throw a `KeyFileError` with `code`.
func expectKeyFileError(
    _ code: KeyFileError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) {
    let error = #expect(throws: KeyFileError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, "got \(String(describing: error))", sourceLocation: sourceLocation)
}
