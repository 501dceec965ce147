import ArgumentParser
import Foundation
import Logging
import NIOCore
import SSHAuth
import SSHClient
import SSHCrypto
import SSHServer
import SSHTransport

/// `paramiko bench end-to-end`: our client against our server in one process over loopback TCP,
/// bulk data through one exec channel whose server side is handled in process
/// (``BulkServerDelegate``): how close the whole stack gets to the machine, with no peer and no
/// child process in the way. CPU time covers both ends.
struct EndToEndBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end-to-end",
        abstract: "SSHClient to SSHServer in one process: bulk MB/s and CPU seconds per GiB."
    )

    @Option(help: "MiB to move each way for each cipher.")
    var megabytes: Int = 1024

    @Option(
        name: .customLong("cipher"),
        help:
            "A cipher, or CIPHER+MAC for one without its own MAC (repeatable; default: the three `make bench` compares)."
    )
    var combinations: [String] = [
        "aes128-gcm@openssh.com", "chacha20-poly1305@openssh.com", "aes128-ctr+hmac-sha2-256-etm@openssh.com",
    ]

    @Option(help: "Directions to measure, down (server to client) and up (repeatable).")
    var direction: [String] = ["down", "up"]

    @Option(help: "Bytes per write into the channel.")
    var blockSize: Int = 256 * 1024

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let clientKey = try SSHPrivateKey.generate(.ed25519)
        var logger = Logger(label: "paramiko.bench")
        logger.logLevel = .warning
        let server = try await SSHServer.listen(
            host: "127.0.0.1", port: 0, hostKeys: [try SSHPrivateKey.generate(.ed25519)],
            delegate: BulkServerDelegate(
                clientKey: clientKey.publicKey, block: ByteBuffer(repeating: 0, count: blockSize)),
            logger: logger)
        var authentication = AuthStrategy()
        authentication.keys = [clientKey]
        authentication.identitiesOnly = true
        authentication.lookForKeys = false
        let bytes = megabytes << 20

        var rows: [EndToEndBenchRow] = []
        do {
            for combination in combinations {
                let parts = combination.split(separator: "+", maxSplits: 1).map(String.init)
                var configuration = SSHClientConfiguration()
                configuration.transport.algorithms.ciphers = [parts[0]]
                if parts.count == 2 { configuration.transport.algorithms.macs = [parts[1]] }
                let client = try await SSHClient.connect(
                    host: "127.0.0.1", port: server.port, username: "bench", authentication: authentication,
                    hostKeyPolicy: .acceptAnythingInsecurely, configuration: configuration)
                for way in direction {
                    let measured = try await EndToEndThroughput.measure(
                        client: client, direction: way, bytes: bytes, blockSize: blockSize)
                    rows.append(
                        EndToEndBenchRow(
                            cipher: combination.replacingOccurrences(of: "+", with: " + "), direction: way,
                            bytes: bytes,
                            megabytesPerSecond: Double(bytes) / measured.seconds / 1e6,
                            cpuSecondsPerGiB: measured.cpuSeconds * Double(1 << 30) / Double(bytes),
                            peakRSSBytes: ResourceUsage.current().peakRSSBytes))
                }
                await client.close()
            }
        } catch {
            await server.shutdown(gracePeriod: .zero)
            throw error
        }
        await server.shutdown(gracePeriod: .zero)

        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print("SSHClient -> SSHServer in one process, \(megabytes) MiB each way; CPU of both ends")
            for row in rows {
                print(
                    row.cipher.padding(toLength: 48, withPad: " ", startingAt: 0)
                        + row.direction.padding(toLength: 5, withPad: " ", startingAt: 0)
                        + String(format: "%8.0f MB/s %6.2f s CPU/GiB", row.megabytesPerSecond, row.cpuSecondsPerGiB))
            }
        }
    }
}

/// One measured cipher and direction.
struct EndToEndBenchRow: Codable {
    var cipher: String
    var direction: String
    var bytes: Int
    /// 10^6 bytes per second.
    var megabytesPerSecond: Double
    /// User plus system CPU of the whole process (client and server) per GiB moved.
    var cpuSecondsPerGiB: Double
    var peakRSSBytes: Int

    enum CodingKeys: String, CodingKey {
        case cipher, direction, bytes, cpuSecondsPerGiB, peakRSSBytes
        case megabytesPerSecond = "MBps"
    }
}
