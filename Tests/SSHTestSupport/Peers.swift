import Foundation

/// Where real peers are and whether tests may skip when one is missing.
public enum Peers {
    /// True under CI, where a missing peer fails the run instead of skipping.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The path of an executable, searching the usual places.
    public static func executable(_ name: String) -> String? {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            + ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]
        for directory in directories {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// True when the peer can be used; when it is missing under CI the caller should fail.
    public static func available(_ name: String) -> Bool {
        executable(name) != nil || required
    }

    /// The key exchange methods the installed OpenSSH knows (`ssh -Q kex`); empty without ssh.
    public static let openSSHKeyExchanges: Set<String> = {
        guard let ssh = executable("ssh"), let result = try? run([ssh, "-Q", "kex"]) else { return [] }
        return Set(result.output.split(separator: "\n").map(String.init))
    }()

    /// Runs a command to completion and returns its exit status and its standard output and
    /// error together; a command still running after `timeout` seconds is killed and reported
    /// as status -1. `environment` is set over the test runner's environment.
    @discardableResult
    public static func run(
        _ arguments: [String], input: Data? = nil, timeout: Double = 60, environment: [String: String] = [:]
    ) throws -> (status: Int32, output: String) {
        let result = try PeerSpawn.run(
            arguments, input: input.map { Array($0) }, timeout: timeout, environment: environment)
        return (result.status, String(decoding: result.output, as: UTF8.self))
    }

    /// ``run(_:input:timeout:environment:)`` on a thread of its own, so a test that waits for a
    /// peer does not hold one of Swift's few cooperative threads while our own async server,
    /// which the peer talks to, needs them.
    public static func runDetached(
        _ arguments: [String], input: Data? = nil, timeout: Double = 60, environment: [String: String] = [:]
    ) async throws -> (status: Int32, output: String) {
        try await detached { try run(arguments, input: input, timeout: timeout, environment: environment) }
    }

    /// Runs blocking set-up work (spawning and waiting for a peer) on a thread of its own.
    public static func detached<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// The `paramiko` executable built beside the test bundle (or in the package's build folder).
    public static func paramiko() throws -> String {
        var candidates: [String] = []
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(directory.appendingPathComponent("paramiko").path)
            directory.deleteLastPathComponent()
        }
        var package = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { package.deleteLastPathComponent() }
        candidates.append(package.path + "/.build/debug/paramiko")
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) { return path }
        throw PeerError("the paramiko executable is not built: swift build --build-tests")
    }

    /// A new temporary directory.
    public static func temporaryDirectory(_ prefix: String = "paramiko-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
