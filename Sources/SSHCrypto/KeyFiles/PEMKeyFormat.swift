import COpenSSL

/// PEM private keys through libcrypto's decoders and encoders: PKCS#1 `RSA PRIVATE KEY` (RFC 8017
/// App. A.1.2), SEC1 `EC PRIVATE KEY` (RFC 5915), OpenSSL's `DSA PRIVATE KEY`, PKCS#8 `PRIVATE KEY`
/// and `ENCRYPTED PRIVATE KEY` (RFC 5958, PBES2 of RFC 8018), and RFC 1421 legacy encryption
/// (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`, key from OpenSSL's MD5 EVP_BytesToKey).
enum PEMKeyFormat {
    static let labels: Set<String> = [
        "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY",
    ]

    static func read(_ armor: PEMArmor, text: String, passphrase: SecureBytes?) throws(KeyFileError) -> SSHPrivateKey {
        guard labels.contains(armor.label) else {
            throw KeyFileError(.unsupportedFormat, "\(armor.label.debugDescription) is not a private key format")
        }
        let legacyEncrypted = armor.headers.contains { $0.name == "Proc-Type" && $0.value.contains("ENCRYPTED") }
        let encrypted = legacyEncrypted || armor.label == "ENCRYPTED PRIVATE KEY"
        if encrypted, (passphrase?.count ?? 0) == 0 {
            throw KeyFileError(.passphraseRequired, "the \(armor.label) is encrypted")
        }
        let normalized = PEMArmor.encode(label: armor.label, body: armor.body)
        let pem = legacyEncrypted ? legacyText(armor) : normalized
        // libcrypto takes the passphrase as a NUL-terminated string when no callback is given.
        let secret = SecureBytes(count: (passphrase?.count ?? 0) + 1) { buffer in
            passphrase?.withUnsafeBytes { bytes in buffer.copyMemory(from: bytes) }
        }
        let key: OpaquePointer? = pem.withCString { source in
            secret.withUnsafeBytes { bytes in
                guard let bio = BIO_new_mem_buf(source, Int32(strlen(source))) else { return nil }
                defer { BIO_free(bio) }
                return PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
            }
        }
        guard let key else {
            ERR_clear_error()
            if encrypted, envelopeIsWellFormed(armor, legacy: legacyEncrypted) {
                throw KeyFileError(.wrongPassphrase, "the passphrase does not decrypt the \(armor.label)")
            }
            throw KeyFileError(.corrupt, "the \(armor.label) is malformed")
        }
        let wrapped = OpenSSLKey(key)
        if EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA, wrapped.bits < RSALimits.minimumBits {
            throw KeyFileError(
                .keyTooSmall, "RSA key of \(wrapped.bits) bits; at least \(RSALimits.minimumBits) required")
        }
        do {
            return try SSHPrivateKey(key: wrapped)
        } catch {
            throw KeyFileError(.unsupportedKeyType, "\(error.detail)")
        }
    }

    /// Re-emits a legacy encrypted block with its headers, which libcrypto needs to decrypt.
    private static func legacyText(_ armor: PEMArmor) -> String {
        let encoded = PEMArmor.encode(label: armor.label, body: armor.body)
        var lines = encoded.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let headerLines = armor.headers.map { "\($0.name): \($0.value)" } + [""]
        lines.insert(contentsOf: headerLines, at: 1)
        return lines.joined(separator: "\n")
    }

    /// Whether an encrypted key's outer structure is intact, so a decoding failure means a wrong
    /// passphrase rather than a damaged file.
    private static func envelopeIsWellFormed(_ armor: PEMArmor, legacy: Bool) -> Bool {
        if legacy {
            let cipher = armor.headers.first { $0.name == "DEK-Info" }?.value ?? ""
            let block = cipher.hasPrefix("DES") ? 8 : 16
            return armor.body.count % block == 0
        }
        return armor.body.withUnsafeBufferPointer { bytes in
            var cursor = bytes.baseAddress
            guard let envelope = d2i_X509_SIG(nil, &cursor, bytes.count) else {
                ERR_clear_error()
                return false
            }
            X509_SIG_free(envelope)
            return cursor == bytes.baseAddress.map { $0 + bytes.count }
        }
    }

    /// PKCS#8 (`traditional: false`) or the per-type traditional PEM, encrypted with AES-256-CBC when
    /// `passphrase` is non-empty.
    static func write(_ key: SSHPrivateKey, traditional: Bool, passphrase: SecureBytes?) throws(KeyFileError)
        -> String
    {
        guard let bio = BIO_new(BIO_s_mem()) else { throw KeyFileError(.crypto, "BIO_new") }
        defer { BIO_free(bio) }
        let secret = passphrase ?? SecureBytes([])
        let cipher = secret.count == 0 ? nil : AlgorithmCache.aes256CBC?.pointer
        if secret.count > 0, cipher == nil {
            throw KeyFileError(.unsupportedCipher, "AES-256-CBC is unavailable")
        }
        let status = secret.withUnsafeBytes { pass in
            let kstr = pass.count > 0 ? pass.baseAddress?.assumingMemoryBound(to: UInt8.self) : nil
            let length = Int32(pass.count)
            return traditional
                ? PEM_write_bio_PrivateKey_traditional(bio, key.key.pointer, cipher, kstr, length, nil, nil)
                : PEM_write_bio_PrivateKey(bio, key.key.pointer, cipher, kstr, length, nil, nil)
        }
        guard status == 1 else {
            let error = CryptoError.openSSL("PEM encoding")
            throw KeyFileError(.crypto, error.detail)
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = paramiko_bio_mem_data(bio, &data)
        guard length > 0, let data else { throw KeyFileError(.crypto, "PEM encoding produced nothing") }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}
