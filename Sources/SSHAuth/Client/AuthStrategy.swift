import Foundation
import SSHCrypto

/// The order Paramiko's `SSHClient.connect` tries credentials in, as a reusable engine: the
/// keys given, the key files named, the agent's keys, then the default `~/.ssh/id_*` files,
/// then the password (and keyboard-interactive answered with it). A certificate `KEY-cert.pub`
/// beside a key file `KEY` is offered first, as ssh does.
public struct AuthStrategy: Sendable {
    /// Keys given directly (Paramiko's `pkey`).
    public var keys: [any SSHSigner] = []
    /// Private key files to load (Paramiko's `key_filename`, ssh's IdentityFile).
    public var keyFiles: [String] = []
    /// Certificate files (ssh's CertificateFile): each is offered, before the plain key, with
    /// whichever loaded key it certifies.
    public var certificateFiles: [String] = []
    /// Keys an ssh-agent holds (Paramiko's `allow_agent`).
    public var agentKeys: [any SSHSigner] = []
    /// Whether to try the default key files in ``homeDirectory``/.ssh (Paramiko's `look_for_keys`).
    public var lookForKeys = true
    /// Only the keys and key files named, no agent or default keys (ssh's IdentitiesOnly).
    public var identitiesOnly = false
    /// The password, tried last, also as the answer to keyboard-interactive password prompts.
    public var password: String?
    /// The passphrase for encrypted key files; Paramiko falls back to the password.
    public var passphrase: String?
    /// The home directory whose `.ssh` holds the default keys.
    public var homeDirectory: String = NSHomeDirectory()

    /// The default key file names, in the order OpenSSH 9.2 tries them.
    public static let defaultKeyNames = ["id_rsa", "id_ecdsa", "id_ed25519", "id_dsa"]

    /// A strategy with nothing in it yet.
    public init() {}

    /// The credentials in order, and the key files that could not be used with the reason
    /// (a missing default key file is not a problem; a named one is).
    public func credentials() -> (credentials: [AuthCredential], problems: [(path: String, error: KeyFileError)]) {
        var credentials: [AuthCredential] = []
        var problems: [(path: String, error: KeyFileError)] = []
        var offered = Set<SSHPublicKey>()
        let certificates = certificateFiles.compactMap { path -> SSHPublicKey? in
            let expanded = Self.expandTilde(path, home: homeDirectory)
            guard let text = try? String(contentsOfFile: expanded, encoding: .utf8),
                let key = try? SSHPublicKey.parse(fileContents: text).key, key.certificate != nil
            else {
                problems.append((expanded, KeyFileError(.io, "not a readable certificate: \(expanded)")))
                return nil
            }
            return key
        }
        func offer(_ signer: any SSHSigner) {
            guard offered.insert(signer.publicKey).inserted else { return }
            credentials.append(.publicKey(signer))
        }
        func load(_ path: String, required: Bool) {
            guard FileManager.default.fileExists(atPath: path) else {
                if required { problems.append((path, KeyFileError(.io, "no such file: \(path)"))) }
                return
            }
            do {
                let key = try SSHPrivateKey(path: path, passphrase: passphrase ?? password)
                for certificate in certificates + [Self.certificate(beside: path)].compactMap({ $0 })
                where certificate.certificate?.key == key.publicKey {
                    if let certified = try? CertifiedSigner(signer: key, certificate: certificate) { offer(certified) }
                }
                offer(key)
            } catch {
                problems.append((path, error))
            }
        }
        keys.forEach(offer)
        for path in keyFiles { load(Self.expandTilde(path, home: homeDirectory), required: true) }
        if !identitiesOnly {
            agentKeys.forEach(offer)
            if lookForKeys {
                for name in Self.defaultKeyNames { load(homeDirectory + "/.ssh/" + name, required: false) }
            }
        }
        if let password {
            credentials.append(.password(password))
            credentials.append(.keyboardInteractivePassword(password))
        }
        return (credentials, problems)
    }

    /// The certificate in `KEY-cert.pub` beside `KEY`, when there is a readable one.
    static func certificate(beside path: String) -> SSHPublicKey? {
        guard let text = try? String(contentsOfFile: path + "-cert.pub", encoding: .utf8),
            let key = try? SSHPublicKey.parse(fileContents: text).key, key.certificate != nil
        else { return nil }
        return key
    }

    static func expandTilde(_ path: String, home: String) -> String {
        path == "~" ? home : path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}
