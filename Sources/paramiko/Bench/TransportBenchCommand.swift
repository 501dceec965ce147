import ArgumentParser
import Foundation
import SSHCrypto

/// `paramiko bench transport`: bulk throughput of the whole binary packet protocol (RFC 4253
/// §6) in one process, a client machine sending to a server machine over memory.
struct TransportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Transport throughput in memory: client seals, server opens, one thread."
    )

    @Option(help: "Megabytes (10^6 bytes) of payload to send for each cipher.")
    var megabytes: Int = 512

    @Option(help: "Payload bytes per packet.")
    var payloadSize: Int = 32768

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// The combinations `make bench` reports.
    static let combinations: [(CipherAlgorithm, MACAlgorithm?)] = [
        (.aes128GCM, nil), (.chacha20Poly1305, nil), (.aes128CTR, .hmacSHA256ETM),
    ]

    func run() throws {
        var rows: [TransportBenchRow] = []
        for (cipher, mac) in Self.combinations {
            let rate = try TransportThroughput.measure(
                cipher: cipher, mac: mac, megabytes: megabytes, payloadSize: payloadSize)
            rows.append(
                TransportBenchRow(
                    name: mac.map { "\(cipher.name) + \($0.name)" } ?? cipher.name,
                    opensslCipher: CipherBenchCommand.openSSLName(cipher),
                    opensslMAC: mac?.digest.map { $0.rawValue.lowercased() }, MBps: rate))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print("transport in memory, \(payloadSize)-byte payloads, MB/s of payload (sealed and opened)")
            for row in rows { print(row.name.padding(toLength: 56, withPad: " ", startingAt: 0) + String(format: "%9.0f", row.MBps)) }
        }
    }
}

/// One measured combination.
struct TransportBenchRow: Codable {
    var name: String
    var opensslCipher: String
    var opensslMAC: String?
    var MBps: Double
}
