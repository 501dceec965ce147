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

    @Option(help: "An existing file to upload (default: a new one of --size MiB of pseudo-random bytes).")
    var source: String?

    @Option(help: "Requests in flight (default: the client's, 64).")
    var requests: Int?

    @Option(help: "Bytes per READ and WRITE (default: the server's limits, else 32 KiB).")
    var blockSize: Int?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        let manager = FileManager.default
        let workDirectory =
            directory ?? manager.temporaryDirectory.appendingPathComponent("sftp-bench.\(getpid())").path
        try manager.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        defer { if directory == nil { try? manager.removeItem(atPath: workDirectory) } }
        let sourcePath = source ?? workDirectory + "/source"
        if source == nil {
            // Any bytes will do (SFTP does not compress); a xorshift fills them without a system call each.
            var bytes = [UInt8](repeating: 0, count: size << 20)
            var state: UInt64 = 0x2545_F491_4F6C_DD1D
            bytes.withUnsafeMutableBytes { raw in
                for index in raw.bindMemory(to: UInt64.self).indices {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    raw.storeBytes(of: state, toByteOffset: index * 8, as: UInt64.self)
                }
            }
            try Data(bytes).write(to: URL(fileURLWithPath: sourcePath))
        }
        let byteCount = (try manager.attributesOfItem(atPath: sourcePath)[.size] as? Int) ?? 0

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
        options.blockSize = blockSize

        let clock = ContinuousClock()
        let putStart = clock.now
        try await client.put(sourcePath, to: remoteDirectory + "/uploaded", options: options)
        let putTime = (clock.now - putStart) / .seconds(1)
        let getStart = clock.now
        try await client.get(remoteDirectory + "/uploaded", to: workDirectory + "/downloaded", options: options)
        let getTime = (clock.now - getStart) / .seconds(1)
        await client.close()

        let megabytes = Double(byteCount) / 1_000_000
        let result = SFTPBenchResult(
            bytes: byteCount, putMBps: megabytes / putTime, getMBps: megabytes / getTime,
            blockSize: blockSize ?? Int(client.limits?.maximumReadLength ?? 32768))
        if json {
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
        } else {
            print(
                String(
                    format: "put %.0f MB/s, get %.0f MB/s (%d bytes, %d-byte blocks)", result.putMBps, result.getMBps,
                    byteCount, result.blockSize))
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
