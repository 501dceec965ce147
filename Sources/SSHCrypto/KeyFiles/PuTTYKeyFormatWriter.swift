import NIOCore
import SSHWire

extension PuTTYKeyFormat {
    /// Encodes `key` as a PPK file (PuTTY manual appendix C), encrypted with AES-256-CBC when
    /// `passphrase` is non-empty. The private blob is padded to the cipher block with bytes of its own
    /// SHA-1 hash, as PuTTY pads it.
    static func write(
        _ key: SSHPrivateKey, passphrase: SecureBytes?, parameters: PuTTYKeyFileParameters
    ) throws(KeyFileError) -> String {
        guard parameters.version == 2 || parameters.version == 3 else {
            throw KeyFileError(.unsupportedFormat, "PPK version \(parameters.version); PuTTY writes 2 and 3")
        }
        guard !key.comment.contains(where: \.isNewline) else {
            throw KeyFileError(.unsupportedFormat, "a PPK comment is one line; this one has a line break")
        }
        let encrypted = (passphrase?.count ?? 0) > 0
        var plain = try privateFields(of: key)
        defer { plain.zeroize() }
        if encrypted {
            let padding = (cipherBlockLength - plain.count % cipherBlockLength) % cipherBlockLength
            do {
                plain += try DigestAlgorithm.sha1.hash(plain).prefix(padding)
            } catch {
                throw KeyFileError(.crypto, "PPK padding: \(error)")
            }
        }
        var derivation: KeyDerivation?
        if encrypted, parameters.version == 3 {
            var random = SystemRandom()
            derivation = KeyDerivation(
                variant: parameters.variant, memoryKiB: parameters.memoryKiB, passes: parameters.passes,
                parallelism: parameters.parallelism, salt: random.bytes(saltLength))
        }
        var file = File(
            version: parameters.version, algorithm: key.type.sshName, encrypted: encrypted, comment: key.comment,
            publicBlob: key.publicKey.blob, derivation: derivation, privateBlob: [], mac: [])
        let keys = try derive(
            version: parameters.version, passphrase: encrypted ? passphrase : nil, derivation: derivation)
        file.mac = try mac(of: file, privateBlob: plain, key: keys.mac)
        if let cipherMaterial = keys.cipher {
            do {
                file.privateBlob = try KeyFileCipher.named(cipherName).apply(
                    plain, material: cipherMaterial, encrypt: true)
            } catch {
                throw KeyFileError(.crypto, "\(cipherName): \(error)")
            }
        } else {
            file.privateBlob = plain
        }
        return encode(file)
    }

    /// The header lines and base64 blocks of `file`, 64 characters to a line, as PuTTY writes them.
    static func encode(_ file: File) -> String {
        var text = "\(magic)\(file.version): \(file.algorithm)\n"
        text += "Encryption: \(file.encryptionName)\n"
        text += "Comment: \(file.comment)\n"
        text += lines("Public-Lines", file.publicBlob)
        if let derivation = file.derivation {
            let name =
                switch derivation.variant {
                case .argon2id: "Argon2id"
                case .argon2i: "Argon2i"
                case .argon2d: "Argon2d"
                }
            text += "Key-Derivation: \(name)\n"
            text += "Argon2-Memory: \(derivation.memoryKiB)\n"
            text += "Argon2-Passes: \(derivation.passes)\n"
            text += "Argon2-Parallelism: \(derivation.parallelism)\n"
            text += "Argon2-Salt: \(Hex.encode(derivation.salt))\n"
        }
        text += lines("Private-Lines", file.privateBlob)
        text += "Private-MAC: \(Hex.encode(file.mac))\n"
        return text
    }

    private static func lines(_ name: String, _ blob: [UInt8]) -> String {
        var chunks: [String] = []
        var index = 0
        while index < blob.count {
            let end = min(index + bytesPerLine, blob.count)
            chunks.append(Base64.encode(blob[index..<end]))
            index = end
        }
        return "\(name): \(chunks.count)\n" + chunks.map { $0 + "\n" }.joined()
    }

    /// The private fields PuTTY stores for each key type (see ``privateKey(_:privateBlob:)``).
    private static func privateFields(of key: SSHPrivateKey) throws(KeyFileError) -> [UInt8] {
        // The OpenSSH encoding holds every field PuTTY needs; read them back out of it.
        var blob: ByteBuffer
        do {
            blob = ByteBuffer(bytes: try key.privateKeyBlob().unsafeArray)
        } catch {
            throw KeyFileError(.crypto, "cannot export the \(key.type.sshName) key: \(error)")
        }
        var out = ByteBuffer()
        defer { blob.zeroize() }
        do {
            _ = try blob.readSSHString()
            switch key.type {
            case .ed25519:
                _ = try blob.readSSHString()
                let pair = try blob.readSSHString()
                out.writeSSHString(pair.readableBytesView.prefix(32))
            case .ecdsaP256, .ecdsaP384, .ecdsaP521:
                _ = try blob.readSSHString()
                _ = try blob.readSSHString()
                out.writeSSHMPInt(unsignedBigEndian: try blob.readSSHUnsignedMPInt().readableBytesView)
            case .rsa:
                // OpenSSH: n, e, d, iqmp, p, q. PuTTY: d, p, q, iqmp.
                var fields: [[UInt8]] = []
                for _ in 0..<6 { fields.append(Array(try blob.readSSHUnsignedMPInt().readableBytesView)) }
                for index in [2, 4, 5, 3] { out.writeSSHMPInt(unsignedBigEndian: fields[index]) }
                for index in fields.indices { fields[index].zeroize() }
            case .dsa:
                for _ in 0..<4 { _ = try blob.readSSHUnsignedMPInt() }
                out.writeSSHMPInt(unsignedBigEndian: try blob.readSSHUnsignedMPInt().readableBytesView)
            }
        } catch {
            out.zeroize()
            throw KeyFileError(.crypto, "cannot export the \(key.type.sshName) key: \(error)")
        }
        let bytes = Array(out.readableBytesView)
        out.zeroize()
        return bytes
    }
}
