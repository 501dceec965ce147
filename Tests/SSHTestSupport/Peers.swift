import Foundation

/// Where real peers are and whether tests may skip when one is missing.
public enum Peers {
    /// True under CI, where a missing peer fails the run instead of skipping.
    public static var required: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The path of an executable, searching the usual places.
    public static func executable(_ name: String) -> String? {
        let directories = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", "/sbin", "/bin"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
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

    /// Runs a command to completion and returns its exit status and standard output.
    @discardableResult
    public static func run(_ arguments: [String], input: Data? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let inputPipe = Pipe()
        if input != nil { process.standardInput = inputPipe } else { process.standardInput = FileHandle.nullDevice }
        try process.run()
        if let input {
            inputPipe.fileHandleForWriting.write(input)
            try? inputPipe.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A new temporary directory.
    public static func temporaryDirectory(_ prefix: String = "paramiko-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix).\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
