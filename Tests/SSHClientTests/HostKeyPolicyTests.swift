import Foundation
import NIOConcurrencyHelpers
import SSHCrypto
import Testing

@testable import SSHClient

/// The host-key policies over known_hosts files: unknown keys refused, warned about or
/// recorded; a changed key refused whatever the policy, naming both fingerprints; a device
/// never replaced by a file.
struct HostKeyPolicyTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "paramiko-policy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func unknownKeysByPolicy() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/known_hosts"
        let key = try SSHPrivateKey.generate(.ed25519).publicKey
        let warnings = NIOLockedValueBox<[String]>([])
        let warn: @Sendable (String) -> Void = { message in warnings.withLockedValue { $0.append(message) } }
        let refused = await SSHHostKeyPolicy.knownHosts([file]).judge(key, host: "db.internal", port: 22, warn: warn)
        #expect(refused?.code == .hostKeyUnknown)
        #expect(await SSHHostKeyPolicy.knownHosts([file], unknown: .warn).judge(key, host: "db.internal", port: 22, warn: warn) == nil)
        #expect(warnings.withLockedValue { $0 }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: file))
        #expect(await SSHHostKeyPolicy.knownHosts([file], unknown: .addToFile).judge(key, host: "db.internal", port: 2222, warn: warn) == nil)
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("[db.internal]:2222 ssh-ed25519 "))
        #expect(await SSHHostKeyPolicy.knownHosts([file]).judge(key, host: "db.internal", port: 2222, warn: warn) == nil)
    }

    @Test func changedKeysAreAlwaysRefused() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/known_hosts"
        let recorded = try SSHPrivateKey.generate(.ed25519).publicKey
        let presented = try SSHPrivateKey.generate(.ecdsaP256).publicKey
        try "db.internal \(recorded.openSSHLine)\n".write(toFile: file, atomically: true, encoding: .utf8)
        for unknown in [SSHHostKeyPolicy.Unknown.reject, .warn, .addToFile] {
            let verdict = await SSHHostKeyPolicy.knownHosts([file], unknown: unknown).judge(
                presented, host: "db.internal", port: 22, warn: { _ in })
            #expect(verdict?.code == .hostKeyChanged)
            #expect(verdict?.detail.contains(recorded.fingerprint()) == true)
            #expect(verdict?.detail.contains(presented.fingerprint()) == true)
        }
    }

    @Test func devicesAreNeverReplaced() async throws {
        let key = try SSHPrivateKey.generate(.ed25519).publicKey
        #expect(await SSHHostKeyPolicy.knownHosts(["/dev/null"], unknown: .addToFile).judge(key, host: "h", port: 22, warn: { _ in }) == nil)
        var status = stat()
        #expect(lstat("/dev/null", &status) == 0 && (status.st_mode & S_IFMT) == S_IFCHR)
    }
}
