import Foundation
import SSHCrypto

/// The order Paramiko's `SSHClient.connect` tries credentials in, as a reusable engine: the
/// keys given, the key files named, the agent's keys, then the default `~/.ssh/id_*` files,
/// then the password (and keyboard-interactive answered with it), then what is asked for
/// (keyboard-interactive rounds, a password), unless ``preferredMethods`` orders them otherwise.
/// A certificate `KEY-cert.pub` beside a key file `KEY` is offered first, as ssh does.
public struct AuthStrategy: Sendable {
    /// `gssapi-with-mic` with the Kerberos ticket cache, tried first as ssh tries it (Paramiko's
    /// `gss_auth`); nil leaves it out.
    public var gssapi: GSSAPICredential?
    /// `gssapi-keyex`, tried before everything when the key exchange was a GSS-API one
    /// (``SSHTransport/TransportConfiguration/gssKeyExchange``; Paramiko's `gss_kex`).
    public var gssapiKeyExchange = false
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
    /// Asks for the passphrase of an encrypted key file that ``passphrase`` does not open: the key
    /// is offered with its public key and decrypted only once the server would take it
    /// (``EncryptedKeyFileSigner``), as ssh does. Nil leaves such files out.
    public var passphrasePrompt: EncryptedKeyFileSigner.PassphrasePrompt?
    /// Answers keyboard-interactive rounds (RFC 4256) after the keys, as ssh's prompts do.
    public var interactiveResponder: KeyboardInteractiveResponder?
    /// Asks for a password after keyboard-interactive, as ssh's `user@host's password:` does.
    public var passwordPrompt: (@Sendable () async -> String?)?
    /// How many times a passphrase, keyboard-interactive or a password is asked for (ssh's
    /// NumberOfPasswordPrompts).
    public var promptAttempts = 3
    /// The methods to try, in this order (ssh's PreferredAuthentications); nil keeps the order above.
    public var preferredMethods: [String]?
    /// Told of each key file's private key the first time it signs, with the file's path: what
    /// ssh's AddKeysToAgent hands to the agent.
    public var keyFileUsed: (@Sendable (_ key: SSHPrivateKey, _ path: String) async -> Void)?

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
            let signer: any SSHSigner
            do {
                let key = try SSHPrivateKey(path: path, passphrase: passphrase ?? password)
                signer = keyFileUsed.map { KeyFileSigner(key: key, path: path, used: $0) } ?? key
            } catch let error where [.passphraseRequired, .wrongPassphrase].contains(error.code) {
                guard let passphrasePrompt, let publicKey = EncryptedKeyFileSigner.publicKey(ofKeyFile: path) else {
                    problems.append((path, error))
                    return
                }
                signer = EncryptedKeyFileSigner(
                    path: path, publicKey: publicKey, attempts: promptAttempts, prompt: passphrasePrompt,
                    decrypted: keyFileUsed)
            } catch {
                problems.append((path, error))
                return
            }
            for certificate in certificates + [Self.certificate(beside: path)].compactMap({ $0 })
            where certificate.certificate?.key == signer.publicKey {
                if let certified = try? CertifiedSigner(signer: signer, certificate: certificate) { offer(certified) }
            }
            offer(signer)
        }
        if gssapiKeyExchange { credentials.append(.gssapiKeyExchange) }
        if let gssapi { credentials.append(.gssapi(gssapi)) }
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
        for _ in 0..<promptAttempts {
            if let interactiveResponder { credentials.append(.keyboardInteractive(interactiveResponder)) }
        }
        for _ in 0..<promptAttempts {
            if let passwordPrompt { credentials.append(.passwordPrompt(passwordPrompt)) }
        }
        if let preferredMethods {
            // A stable reordering: within a method, the order above stays.
            credentials = preferredMethods.flatMap { method in credentials.filter { $0.method == method } }
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
