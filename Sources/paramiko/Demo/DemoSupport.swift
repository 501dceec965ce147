import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SSHCrypto
import SFTP
import SSHServer

/// The demo's steps with their times, printed as a table at the end.
struct DemoSteps {
    private var rows: [(String, Duration)] = []

    /// Runs one step, printing its name first and keeping its time.
    mutating func run<T>(_ name: String, _ body: () async throws -> T) async throws -> T {
        print("▸ \(name)")
        let started = ContinuousClock.now
        let result = try await body()
        rows.append((name, ContinuousClock.now - started))
        return result
    }

    func printTable() {
        let width = rows.map(\.0.count).max() ?? 10
        print("\n" + "step".padding(toLength: width, withPad: " ", startingAt: 0) + "   time")
        print(String(repeating: "─", count: width + 13))
        for (name, duration) in rows {
            let milliseconds = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
            print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "   " + String(format: "%7.1f ms", milliseconds))
        }
    }
}

/// `paramiko serve` started by the demo, with the port and host key it announced.
struct DemoServer: Sendable {
    let process: LocalProcess
    let port: Int
    let fingerprint: String
    let banner: String

    static func start(executable: String, authorizedKeys: String, root: String) async throws -> DemoServer {
        let command = [
            executable, "serve", "--listen", "127.0.0.1:0", "--authorized-keys", authorizedKeys, "--root", root,
            "--allow-exec", "--allow-forwarding", "--log-level", "warning",
        ].map(DemoProcess.quote).joined(separator: " ")
        let process = try LocalProcess.start(
            command: "exec " + command, environment: ProcessInfo.processInfo.environment, workingDirectory: nil,
            terminal: nil)
        Task { for try await _ in process.standardError {} }
        var text = ""
        var port: Int?
        var fingerprint = ""
        for try await chunk in process.standardOutput {
            text += String(buffer: chunk)
            for line in text.split(separator: "\n") {
                if line.hasPrefix("ephemeral host key: ") { fingerprint = String(line.dropFirst(20)) }
                if line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":") {
                    port = Int(line[line.index(after: colon)...])
                }
            }
            if port != nil { break }
        }
        guard let port else {
            process.terminate()
            throw DemoError("paramiko serve did not start: \(text)")
        }
        return DemoServer(process: process, port: port, fingerprint: fingerprint, banner: text.split(separator: "\n").joined(separator: "; "))
    }

    /// SIGTERM, then waits for a clean exit.
    func terminate() async throws {
        process.signal("TERM")
        let end = await process.wait()
        guard end == .exited(0) else { throw DemoError("paramiko serve ended with \(end)") }
    }

    func stop() { process.terminate() }
}

/// Runs the peers the demo shows.
enum DemoProcess {
    static func available(_ name: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    }

    static func quote(_ argument: String) -> String {
        "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Runs `arguments` with no input; returns stdout, or throws with stderr when it fails.
    static func output(_ arguments: [String]) async throws -> String {
        let process = try LocalProcess.start(
            command: arguments.map(quote).joined(separator: " "), environment: ProcessInfo.processInfo.environment,
            workingDirectory: nil, terminal: nil)
        try await process.closeInput()
        async let errors: String = {
            var text = ""
            for try await chunk in process.standardError { text += String(buffer: chunk) }
            return text
        }()
        var text = ""
        for try await chunk in process.standardOutput { text += String(buffer: chunk) }
        let errorText = try await errors
        let end = await process.wait()
        guard end == .exited(0) else { throw DemoError("\(arguments[0]) failed (\(end)): \(errorText)") }
        return text
    }
}

/// Files for the SFTP steps.
enum DemoFiles {
    static func writeRandom(_ path: String, megabytes: Int) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw DemoError("cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var random = SystemRandom()
        for _ in 0..<megabytes {
            let block = random.bytes(1 << 20)
            try handle.write(contentsOf: block)
        }
    }

    /// Runs a transfer with OpenSSH sftp's progress meter when standard output is a terminal.
    static func withMeter<T>(name: String, total: UInt64, _ body: (SFTPTransferOptions) async throws -> T) async throws -> T {
        var options = SFTPTransferOptions()
        guard isatty(1) != 0 else { return try await body(options) }
        fflush(nil)
        let meter = SFTPProgressMeter(name: name, total: total, offset: 0, console: SFTPConsole())
        options.progress = { meter.update($0) }
        let result = try await body(options)
        meter.finish()
        return result
    }

    static func sha256(_ path: String) throws -> [UInt8] {
        var hasher = try DigestHasher(.sha256)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(block) }
        return try hasher.finalize()
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
