/// The file formats ``SSHPrivateKey`` can write.
public enum PrivateKeyFileFormat: String, Sendable, CaseIterable {
    /// `-----BEGIN OPENSSH PRIVATE KEY-----` (PROTOCOL.key), what ssh-keygen writes by default.
    case openSSH
    /// `-----BEGIN PRIVATE KEY-----` or, with a passphrase, `ENCRYPTED PRIVATE KEY` (PKCS#8, RFC 5958,
    /// PBES2 with AES-256-CBC).
    case pkcs8
    /// The traditional per-type PEM: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY` (SEC1),
    /// `DSA PRIVATE KEY`; with a passphrase, `Proc-Type: 4,ENCRYPTED` with AES-256-CBC. Ed25519 keys
    /// have no traditional form and are written as PKCS#8.
    case pem
    /// PuTTY's `.ppk`, version 3 (PuTTY manual appendix C): with a passphrase, AES-256-CBC keyed by
    /// Argon2id with ``PuTTYKeyFileParameters/default``, and HMAC-SHA-256.
    case putty
    /// PuTTY's `.ppk`, version 2, which PuTTY before 0.75 reads: SHA-1 key derivation, AES-256-CBC,
    /// HMAC-SHA-1.
    case puttyVersion2
}

extension SSHPrivateKey {
    /// Reads a private key file's text in any supported format: OpenSSH (PROTOCOL.key), PKCS#1 RSA,
    /// SEC1 EC, OpenSSL DSA, PKCS#8 plain or encrypted, legacy encrypted PEM, and PuTTY's `.ppk`
    /// versions 2 and 3 (PuTTY manual appendix C), whose comment becomes ``comment``.
    ///
    /// An encrypted key without `passphrase` throws `.passphraseRequired`; one that the passphrase does
    /// not open throws `.wrongPassphrase`. A `.ppk` file whose MAC does not match without encryption
    /// throws `.corrupt`. A `.ppk` that carries an OpenSSH certificate (`puttygen --certificate`) reads
    /// as its plain key; ``SSHPublicKey/fromPrivateKeyFile(_:)`` gives the certificate.
    public init(fileContents text: String, passphrase: String? = nil) throws(KeyFileError) {
        try self.init(fileContents: text, secret: passphrase.map { SecureBytes($0.utf8) })
    }

    /// ``init(fileContents:passphrase:)`` with the passphrase in zeroing storage.
    public init(fileContents text: String, passphrase: SecureBytes) throws(KeyFileError) {
        try self.init(fileContents: text, secret: passphrase)
    }

    private init(fileContents text: String, secret passphrase: SecureBytes?) throws(KeyFileError) {
        if PuTTYKeyFormat.recognises(text) {
            self = try PuTTYKeyFormat.read(text, passphrase: passphrase)
            return
        }
        guard let armor = try PEMArmor.first(in: text) else {
            throw KeyFileError(.unsupportedFormat, "no -----BEGIN …----- line")
        }
        if armor.label == OpenSSHKeyFormat.label {
            self = try OpenSSHKeyFormat.read(armor.body, passphrase: passphrase)
        } else {
            self = try PEMKeyFormat.read(armor, text: text, passphrase: passphrase)
        }
    }

    /// Reads a private key file from disk; see ``init(fileContents:passphrase:)``.
    public init(path: String, passphrase: String? = nil) throws(KeyFileError) {
        try self.init(fileContents: try Self.readText(path), secret: passphrase.map { SecureBytes($0.utf8) })
    }

    /// ``init(path:passphrase:)`` with the passphrase in zeroing storage.
    public init(path: String, passphrase: SecureBytes) throws(KeyFileError) {
        try self.init(fileContents: try Self.readText(path), secret: passphrase)
    }

    private static func readText(_ path: String) throws(KeyFileError) -> String {
        let bytes = try KeyFileIO.readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw KeyFileError(.unsupportedFormat, "\(path) is not text")
        }
        return text
    }

    /// The key as file text in `format`. A non-empty `passphrase` encrypts it: OpenSSH files with
    /// `cipher` (default aes256-ctr) and bcrypt_pbkdf with `rounds` rounds; PEM, PKCS#8 and PuTTY
    /// files with AES-256-CBC (`cipher` and `rounds` apply to OpenSSH files only).
    public func fileContents(
        format: PrivateKeyFileFormat = .openSSH, passphrase: String? = nil,
        cipher: String = "aes256-ctr", rounds: Int = 16
    ) throws(KeyFileError) -> String {
        try fileContents(
            format: format, secret: passphrase.map { SecureBytes($0.utf8) }, cipher: cipher, rounds: rounds)
    }

    /// ``fileContents(format:passphrase:cipher:rounds:)`` with the passphrase in zeroing storage.
    public func fileContents(
        format: PrivateKeyFileFormat = .openSSH, passphrase: SecureBytes,
        cipher: String = "aes256-ctr", rounds: Int = 16
    ) throws(KeyFileError) -> String {
        try fileContents(format: format, secret: passphrase, cipher: cipher, rounds: rounds)
    }

    private func fileContents(
        format: PrivateKeyFileFormat, secret passphrase: SecureBytes?, cipher: String, rounds: Int
    ) throws(KeyFileError) -> String {
        switch format {
        case .openSSH:
            let body = try OpenSSHKeyFormat.write(self, passphrase: passphrase, cipherName: cipher, rounds: rounds)
            return PEMArmor.encode(label: OpenSSHKeyFormat.label, body: body, lineLength: 70)
        case .pkcs8:
            return try PEMKeyFormat.write(self, traditional: false, passphrase: passphrase)
        case .pem:
            return try PEMKeyFormat.write(self, traditional: type != .ed25519, passphrase: passphrase)
        case .putty:
            return try PuTTYKeyFormat.write(self, passphrase: passphrase, parameters: .default)
        case .puttyVersion2:
            return try PuTTYKeyFormat.write(self, passphrase: passphrase, parameters: .version2)
        }
    }

    /// The key as a PuTTY `.ppk` file (PuTTY manual appendix C) with the given version and Argon2
    /// parameters; a non-empty `passphrase` encrypts it with AES-256-CBC. Throws
    /// `.kdfRoundsOutOfRange` for Argon2 costs past ``Argon2``'s limits.
    public func puttyFileContents(
        parameters: PuTTYKeyFileParameters = .default, passphrase: String? = nil
    ) throws(KeyFileError) -> String {
        try PuTTYKeyFormat.write(self, passphrase: passphrase.map { SecureBytes($0.utf8) }, parameters: parameters)
    }

    /// ``puttyFileContents(parameters:passphrase:)`` with the passphrase in zeroing storage.
    public func puttyFileContents(
        parameters: PuTTYKeyFileParameters = .default, passphrase: SecureBytes
    ) throws(KeyFileError) -> String {
        try PuTTYKeyFormat.write(self, passphrase: passphrase, parameters: parameters)
    }

    /// Writes the key to `path` with mode 0600 from creation: a new file under a temporary name in the
    /// same directory (`O_CREAT | O_EXCL`), synced, then renamed over `path`.
    public func write(
        to path: String, format: PrivateKeyFileFormat = .openSSH, passphrase: String? = nil,
        cipher: String = "aes256-ctr", rounds: Int = 16
    ) throws(KeyFileError) {
        let text = try fileContents(format: format, passphrase: passphrase, cipher: cipher, rounds: rounds)
        try KeyFileIO.writePrivate(Array(text.utf8), to: path)
    }

    /// Writes the key as a PuTTY `.ppk` file (PuTTY manual appendix C) with the given version and
    /// Argon2 parameters, created as ``write(to:format:passphrase:cipher:rounds:)`` creates files.
    public func write(
        to path: String, puttyParameters: PuTTYKeyFileParameters, passphrase: String? = nil
    ) throws(KeyFileError) {
        let text = try puttyFileContents(parameters: puttyParameters, passphrase: passphrase)
        try KeyFileIO.writePrivate(Array(text.utf8), to: path)
    }

    /// ``write(to:puttyParameters:passphrase:)`` with the passphrase in zeroing storage.
    public func write(
        to path: String, puttyParameters: PuTTYKeyFileParameters, passphrase: SecureBytes
    ) throws(KeyFileError) {
        let text = try puttyFileContents(parameters: puttyParameters, passphrase: passphrase)
        try KeyFileIO.writePrivate(Array(text.utf8), to: path)
    }

    /// ``write(to:format:passphrase:cipher:rounds:)`` with the passphrase in zeroing storage.
    public func write(
        to path: String, format: PrivateKeyFileFormat = .openSSH, passphrase: SecureBytes,
        cipher: String = "aes256-ctr", rounds: Int = 16
    ) throws(KeyFileError) {
        let text = try fileContents(format: format, passphrase: passphrase, cipher: cipher, rounds: rounds)
        try KeyFileIO.writePrivate(Array(text.utf8), to: path)
    }
}
