import Foundation
import SSHCrypto

/// A key file's key that tells `used` the first time it signs (ssh's AddKeysToAgent).
final class KeyFileSigner: SSHSigner, @unchecked Sendable {
    let key: SSHPrivateKey
    let path: String
    private let used: @Sendable (SSHPrivateKey, String) async -> Void
    private let lock = NSLock()
    private var told = false

    init(key: SSHPrivateKey, path: String, used: @escaping @Sendable (SSHPrivateKey, String) async -> Void) {
        self.key = key
        self.path = path
        self.used = used
    }

    var publicKey: SSHPublicKey { key.publicKey }

    /// True, as for the key itself: it is in memory.
    var signsWithoutQuery: Bool { true }

    func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        let signature = try key.signature(for: data, algorithm: algorithm)
        let first = lock.withLock { () -> Bool in
            defer { told = true }
            return !told
        }
        if first { await used(key, path) }
        return signature
    }
}
