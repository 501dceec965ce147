import Foundation
import SSHCrypto

/// A key file whose private part is encrypted: offered with its public key, read without the
/// passphrase (from `KEY.pub` beside it, or in the clear in an openssh-key-v1 file), and
/// decrypted at the first signature with a passphrase asked for then, as ssh asks only once the
/// server has said it would take the key (RFC 4252 §7).
public final class EncryptedKeyFileSigner: SSHSigner, @unchecked Sendable {
    /// Asks for the passphrase of the key file at `path`; nil or empty gives the key up.
    public typealias PassphrasePrompt = @Sendable (_ path: String) async -> String?

    public let publicKey: SSHPublicKey
    /// The key file.
    public let path: String
    private let prompt: PassphrasePrompt
    private let attempts: Int
    private let report: (@Sendable (SSHPrivateKey, String) async -> Void)?
    private let lock = NSLock()
    private var decrypted: SSHPrivateKey?

    /// A signer for the key file at `path` whose public key is `publicKey`; `prompt` is asked up to
    /// `attempts` times while the passphrase is wrong, and `decrypted` is told of the key once it is.
    public init(
        path: String, publicKey: SSHPublicKey, attempts: Int = 3, prompt: @escaping PassphrasePrompt,
        decrypted: (@Sendable (_ key: SSHPrivateKey, _ path: String) async -> Void)? = nil
    ) {
        self.path = path
        self.publicKey = publicKey
        self.attempts = max(1, attempts)
        self.prompt = prompt
        self.report = decrypted
    }

    /// The public key an encrypted key file at `path` can be offered with: `path.pub`'s, or the one
    /// an openssh-key-v1 or PuTTY .ppk file holds in the clear; nil when neither can be read.
    public static func publicKey(ofKeyFile path: String) -> SSHPublicKey? {
        if let text = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
            let key = try? SSHPublicKey.parse(fileContents: text).key, key.certificate == nil
        {
            return key
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return (try? SSHPublicKey.fromPrivateKeyFile(text))??.key
    }

    /// Signs with the decrypted key, asking for the passphrase the first time. Throws
    /// ``AuthError/Code/declined`` when no passphrase is given or none of those given is right.
    public func sign(_ data: [UInt8], algorithm: String) async throws -> [UInt8] {
        try await key().signature(for: data, algorithm: algorithm)
    }

    private func key() async throws -> SSHPrivateKey {
        if let key = lock.withLock({ decrypted }) { return key }
        for _ in 0..<attempts {
            guard let passphrase = await prompt(path), !passphrase.isEmpty else {
                throw AuthError(.declined, "no passphrase for \(path)")
            }
            do {
                let key = try SSHPrivateKey(path: path, passphrase: passphrase)
                guard key.publicKey == publicKey else {
                    throw AuthError(.invalidCredential, "\(path) holds another key than its public key says")
                }
                lock.withLock { decrypted = key }
                await report?(key, path)
                return key
            } catch let error as KeyFileError where error.code == .wrongPassphrase {
                continue
            }
        }
        throw AuthError(.declined, "wrong passphrase for \(path)")
    }
}
