import ArgumentParser
import Foundation
import SSHCrypto

/// `paramiko bench cipher`: packet protection throughput on 32 KiB packets, sealed and opened
/// in place. Each row names the libcrypto primitives it uses, so `bench/run` can set
/// `openssl speed` figures beside it.
struct CipherBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cipher",
        abstract: "Packet cipher and MAC throughput, in place, on 32 KiB packets."
    )

    @Option(help: "Seconds to measure each combination.")
    var seconds: Double = 1.0

    @Option(help: "Payload bytes per packet.")
    var packetSize: Int = 32768

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    /// The combinations measured: every cipher, non-AEAD ones with the MACs worth comparing.
    static let combinations: [(CipherAlgorithm, MACAlgorithm?)] = [
        (.aes128GCM, nil), (.aes256GCM, nil), (.chacha20Poly1305, nil),
        (.aes128CTR, .hmacSHA256ETM), (.aes128CTR, .umac64ETM), (.aes128CTR, .umac128ETM),
        (.aes256CTR, .hmacSHA256ETM), (.aes128CTR, .hmacSHA512ETM),
        (.aes128CTR, .hmacSHA1ETM), (.aes128CTR, .hmacSHA256), (.aes256CBC, .hmacSHA256ETM),
        (.tripleDESCBC, .hmacSHA1),
    ]

    func run() throws {
        var rows: [CipherBenchRow] = []
        for (cipher, mac) in Self.combinations {
            let measured = try CipherThroughput.measure(cipher: cipher, mac: mac, packetSize: packetSize, seconds: seconds)
            rows.append(
                CipherBenchRow(
                    name: mac.map { "\(cipher.name) + \($0.name)" } ?? cipher.name,
                    opensslCipher: Self.openSSLName(cipher), opensslMAC: mac?.digest.map { $0.rawValue.lowercased() },
                    sealMBps: measured.seal, openMBps: measured.open))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(rows), as: UTF8.self))
        } else {
            print(CipherBenchRow.table(rows, packetSize: packetSize))
        }
    }
}

extension CipherBenchCommand {
    /// The `openssl speed -evp` name of the primitive under an SSH cipher.
    static func openSSLName(_ cipher: CipherAlgorithm) -> String {
        switch cipher.mode {
        case .chacha20Poly1305: "chacha20-poly1305"
        case .gcm: cipher.keyLength == 16 ? "aes-128-gcm" : "aes-256-gcm"
        case .ctr: "aes-\(cipher.keyLength * 8)-ctr"
        case .cbc: cipher == .tripleDESCBC ? "des-ede3-cbc" : "aes-\(cipher.keyLength * 8)-cbc"
        }
    }
}

/// One measured combination.
struct CipherBenchRow: Codable {
    var name: String
    /// The cipher's `openssl speed -evp` name.
    var opensslCipher: String
    /// The MAC's digest as `openssl speed -hmac` names it, when there is a separate HMAC (UMAC has
    /// no `openssl speed` figure, so its rows are set beside the cipher alone).
    var opensslMAC: String?
    var sealMBps: Double
    var openMBps: Double

    static func table(_ rows: [CipherBenchRow], packetSize: Int) -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func number(_ value: Double) -> String { String(format: "%9.0f", value) }
        var lines = [
            "packet protection, \(packetSize)-byte packets, MB/s (10^6 bytes/s)",
            pad("cipher + mac", 56) + "     seal      open",
        ]
        for row in rows {
            lines.append(pad(row.name, 56) + number(row.sealMBps) + " " + number(row.openMBps))
        }
        return lines.joined(separator: "\n")
    }
}
