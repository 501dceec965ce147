import ArgumentParser
import Foundation
import SFTP

/// `paramiko bench sftp`: our pipelined client's get and put against an SFTP server spoken to over pipes
/// (OpenSSH's sftp-server by default, or `paramiko sftp-server`), so `bench/run` can set OpenSSH's own
/// `sftp -D` beside it.
struct SFTPBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp",
        abstract: "SFTP get and put throughput over pipes to a local sftp-server."
    )

    @Option(help: "The server command; its working directory is the scratch directory.")
    var server: String = "/usr/lib/openssh/sftp-server"

    @Option(help: "MiB to transfer each way.")
    var size: Int = 64

    @Option(help: "A directory to work in (default: a new one under the temporary directory, removed after).")
    var directory: String?

    @Option(help: "Requests in flight (default: the client's, 64).")
    var requests: Int?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let manager = FileManager.default
        let workDirectory = directory ?? manager.temporaryDirectory.appendingPathComponent("sftp-bench.\(getpid())").path
        try manager.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        defer { if directory == nil { try? manager.removeItem(atPath: workDirectory) } }
        let source = workDirectory + "/source"
        var bytes = [UInt8](repeating: 0, count: size << 20)
        var generator = SystemRandomNumberGenerator()
        bytes.withUnsafeMutableBytes { raw in
            for index in raw.bindMemory(to: UInt64.self).indices { raw.bindMemory(to: UInt64.self)[index] = generator.next() }
        }
        try Data(bytes).write(to: URL(fileURLWithPath: source))

        let process = Process()
        let words = server.split(separator: " ").map(String.init)
        process.executableURL = URL(fileURLWithPath: words[0])
        process.arguments = Array(words.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: workDirectory)
        // A socket pair, as OpenSSH's sftp uses for `-D`.
        var pair: [Int32] = [-1, -1]
        #if os(Linux)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        guard socketpair(AF_UNIX, streamType, 0, &pair) == 0 else {
            throw ValidationError("socketpair: \(String(cString: strerror(errno)))")
        }
        let theirs = FileHandle(fileDescriptor: pair[1], closeOnDealloc: true)
        process.standardInput = theirs
        process.standardOutput = theirs
        try process.run()
        try theirs.close()
        defer { process.terminate() }
        let stream = SFTPPipeStream.make(readingFrom: pair[0], writingTo: pair[0])
        let client = try await SFTPClient.connect(over: stream)
        let remoteDirectory = try await client.realpath(".")
        var options = SFTPTransferOptions()
        options.requestsInFlight = requests

        let clock = ContinuousClock()
        let putStart = clock.now
        try await client.put(source, to: remoteDirectory + "/uploaded", options: options)
        let putTime = (clock.now - putStart) / .seconds(1)
        let getStart = clock.now
        try await client.get(remoteDirectory + "/uploaded", to: workDirectory + "/downloaded", options: options)
        let getTime = (clock.now - getStart) / .seconds(1)
        await client.close()

        let megabytes = Double(size << 20) / 1_000_000
        let result = SFTPBenchResult(
            bytes: size << 20, putMBps: megabytes / putTime, getMBps: megabytes / getTime,
            blockSize: Int(client.limits?.maximumReadLength ?? 32768))
        if json {
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
        } else {
            print(String(format: "put %.0f MB/s, get %.0f MB/s (%d MiB, %d-byte blocks)", result.putMBps, result.getMBps, size, result.blockSize))
        }
    }
}

/// One `paramiko bench sftp` measurement.
struct SFTPBenchResult: Codable {
    var bytes: Int
    var putMBps: Double
    var getMBps: Double
    var blockSize: Int
}
