import ArgumentParser
import Foundation
import SSHAuth
import SSHClient
import SSHCrypto
import SSHTransport

/// `paramiko bench latency`: connect, authenticate with a key, run `true` and disconnect, many
/// times in one warm process through ``SSHClient``: the library's own latency, without process
/// start. `make bench` sets it beside whole `paramiko ssh`, `ssh` and python paramiko processes.
struct LatencyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Connect + authenticate + `true` repeatedly in one process; median milliseconds."
    )

    @Option(help: "Server address.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 22

    @Option(help: "User name.")
    var user: String = NSUserName()

    @Option(name: .customShort("i"), help: "Private key file.")
    var identity: String

    @Option(help: "Key exchange methods to offer, comma-separated.")
    var kex: String = "curve25519-sha256"

    @Option(help: "Host key algorithms to ask for, comma-separated.")
    var hostKeyAlgorithms: String = "ssh-ed25519"

    @Option(help: "Timed connections (after one untimed warm-up).")
    var count: Int = 20

    @Option(help: "The command each connection runs.")
    var command: String = "true"

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
        var configuration = SSHClientConfiguration()
        configuration.transport.algorithms.keyExchange = kex.split(separator: ",").map(String.init)
        configuration.transport.algorithms.hostKey = hostKeyAlgorithms.split(separator: ",").map(String.init)
        var authentication = AuthStrategy()
        authentication.keys = [try SSHPrivateKey(path: identity)]
        authentication.identitiesOnly = true
        authentication.lookForKeys = false

        let clock = ContinuousClock()
        var milliseconds: [Double] = []
        let before = ResourceUsage.current()
        for index in 0...count {
            let start = clock.now
            let client = try await SSHClient.connect(
                host: host, port: port, username: user, authentication: authentication,
                hostKeyPolicy: .acceptAnythingInsecurely, configuration: configuration)
            let result = try await client.run(command)
            await client.close()
            guard result.exitStatus == 0 else {
                throw ValidationError("`\(command)` exited with \(result.exitStatus.map(String.init) ?? "a signal")")
            }
            // The first connection warms caches and lazily built state; it is not counted.
            if index > 0 { milliseconds.append((clock.now - start).inSeconds * 1000) }
        }
        let after = ResourceUsage.current()
        let result = LatencyBenchResult(
            count: count, milliseconds: SampleSummary(milliseconds),
            cpuMillisecondsPerConnection: (after.cpuSeconds - before.cpuSeconds) * 1000 / Double(count + 1),
            peakRSSBytes: after.peakRSSBytes)
        if json {
            print(String(decoding: try JSONEncoder().encode(result), as: UTF8.self))
        } else {
            print(
                "connect + auth + \(command): "
                    + String(
                        format: "median %.1f ms (%.1f–%.1f) over %d, %.1f ms CPU each, peak RSS %d MiB",
                        result.milliseconds.median, result.milliseconds.min, result.milliseconds.max, count,
                        result.cpuMillisecondsPerConnection, result.peakRSSBytes >> 20))
        }
    }
}

/// One `paramiko bench latency` measurement.
struct LatencyBenchResult: Codable {
    var count: Int
    var milliseconds: SampleSummary
    var cpuMillisecondsPerConnection: Double
    var peakRSSBytes: Int
}
