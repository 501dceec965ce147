import COpenSSL

/// The formats a public key file may take besides the one-line OpenSSH form.
public enum PublicKeyFileFormat: String, Sendable, CaseIterable {
    /// `type base64 comment`, as in `.pub` files and `authorized_keys`.
    case openSSH
    /// `---- BEGIN SSH2 PUBLIC KEY ----` (RFC 4716), what `ssh-keygen -e` writes.
    case rfc4716
    /// `-----BEGIN PUBLIC KEY-----`, X.509 SubjectPublicKeyInfo (RFC 5280 §4.1; `ssh-keygen -e -m PKCS8`).
    case pkcs8
}

extension SSHPublicKey {
    /// Reads public key text in any supported form: an OpenSSH line, an RFC 4716 block, or a PEM
    /// `PUBLIC KEY` (SubjectPublicKeyInfo) or `RSA PUBLIC KEY` (PKCS#1). Returns the key and its comment.
    public static func parse(fileContents text: String) throws(KeyFileError) -> (key: SSHPublicKey, comment: String) {
        if text.contains("---- BEGIN SSH2 PUBLIC KEY ----") { return try parseRFC4716(text) }
        if let armor = try PEMArmor.first(in: text) { return (try parsePEM(armor), "") }
        guard let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.hasPrefix("#") }) else {
            throw KeyFileError(.unsupportedFormat, "no public key found")
        }
        return try parse(openSSHLine: String(line))
    }

    /// The key in `format`; the comment goes where the format has room for one.
    public func fileContents(format: PublicKeyFileFormat = .openSSH, comment: String = "") throws(KeyFileError)
        -> String
    {
        switch format {
        case .openSSH:
            return openSSHLine + (comment.isEmpty ? "" : " " + comment) + "\n"
        case .rfc4716:
            var text = "---- BEGIN SSH2 PUBLIC KEY ----\n"
            if !comment.isEmpty {
                let escaped = comment.replacingBackslashesAndQuotes()
                text += "Comment: \"\(escaped)\"\n"
            }
            let encoded = Array(Base64.encode(blob).utf8)
            var index = 0
            while index < encoded.count {
                let end = min(index + 70, encoded.count)
                text += String(decoding: encoded[index..<end], as: UTF8.self) + "\n"
                index = end
            }
            return text + "---- END SSH2 PUBLIC KEY ----\n"
        case .pkcs8:
            guard let key = material.libcryptoKey else {
                throw KeyFileError(.unsupportedKeyType, "\(keyType) has no SubjectPublicKeyInfo form")
            }
            guard let bio = BIO_new(BIO_s_mem()) else { throw KeyFileError(.crypto, "BIO_new") }
            defer { BIO_free(bio) }
            guard PEM_write_bio_PUBKEY(bio, key.pointer) == 1 else {
                throw KeyFileError(.crypto, CryptoError.openSSL("PEM_write_bio_PUBKEY").detail)
            }
            var data: UnsafeMutablePointer<CChar>?
            let length = paramiko_bio_mem_data(bio, &data)
            guard length > 0, let data else { throw KeyFileError(.crypto, "PEM encoding produced nothing") }
            return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        }
    }

    private static func parseRFC4716(_ text: String) throws(KeyFileError) -> (key: SSHPublicKey, comment: String) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
        guard let start = lines.firstIndex(of: "---- BEGIN SSH2 PUBLIC KEY ----"),
            let end = lines.firstIndex(of: "---- END SSH2 PUBLIC KEY ----"), start < end
        else { throw KeyFileError(.corrupt, "unterminated SSH2 PUBLIC KEY block") }
        var comment = ""
        var body = ""
        var index = start + 1
        while index < end {
            var line = lines[index]
            index += 1
            if let colon = line.firstIndex(of: ":"), body.isEmpty {
                // RFC 4716 §3.3: a header; a trailing backslash continues it on the next line.
                while line.hasSuffix("\\"), index < end {
                    line = String(line.dropLast()) + lines[index]
                    index += 1
                }
                let name = line[..<colon].lowercased()
                var value = line[line.index(after: colon)...].trimmingWhitespace()
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast())
                }
                if name == "comment" { comment = value }
                continue
            }
            body += line
        }
        guard let blob = Base64.decode(body), !blob.isEmpty else {
            throw KeyFileError(.corrupt, "the SSH2 PUBLIC KEY body is not valid base64")
        }
        do {
            return (try SSHPublicKey(blob: blob), comment)
        } catch {
            throw KeyFileError(error.code == .unsupportedAlgorithm ? .unsupportedKeyType : .corrupt, error.detail)
        }
    }

    private static func parsePEM(_ armor: PEMArmor) throws(KeyFileError) -> SSHPublicKey {
        let key: OpaquePointer? = armor.body.withUnsafeBufferPointer { bytes in
            var cursor = bytes.baseAddress
            switch armor.label {
            case "PUBLIC KEY": return d2i_PUBKEY(nil, &cursor, bytes.count)
            case "RSA PUBLIC KEY": return d2i_PublicKey(EVP_PKEY_RSA, nil, &cursor, bytes.count)
            default: return nil
            }
        }
        guard let key else {
            ERR_clear_error()
            guard armor.label == "PUBLIC KEY" || armor.label == "RSA PUBLIC KEY" else {
                throw KeyFileError(.unsupportedFormat, "\(armor.label.debugDescription) is not a public key format")
            }
            throw KeyFileError(.corrupt, "the \(armor.label) is malformed")
        }
        do {
            let (_, blob) = try SSHPrivateKey.publicBlob(of: OpenSSLKey(key))
            return try SSHPublicKey(blob: blob)
        } catch {
            throw KeyFileError(.unsupportedKeyType, error.detail)
        }
    }
}

extension PublicKeyMaterial {
    /// The libcrypto key of a plain (non-FIDO, non-certificate) key.
    var libcryptoKey: OpenSSLKey? {
        switch self {
        case .ed25519(let key), .ecdsa(_, let key), .rsa(let key), .dsa(let key): key
        case .securityKeyEd25519, .securityKeyECDSA, .certificate: nil
        }
    }
}

extension String {
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var result = ""
        for character in self {
            if character == "\\" || character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
