import COpenSSL
import NIOCore
import SSHWire

/// The `openssh-key-v1` private key format (PROTOCOL.key).
enum OpenSSHKeyFormat {
    static let label = "OPENSSH PRIVATE KEY"
    static let magic = Array("openssh-key-v1".utf8) + [0]
    static let defaultRounds = 16
    static let saltLength = 16

    /// Parses the decoded body of an `OPENSSH PRIVATE KEY` block.
    static func read(_ body: [UInt8], passphrase: SecureBytes?) throws(KeyFileError) -> SSHPrivateKey {
        do {
            return try readUnchecked(body, passphrase: passphrase)
        } catch let error as KeyFileError {
            throw error
        } catch let error as WireError {
            throw KeyFileError(.corrupt, "openssh-key-v1: \(error)")
        } catch {
            throw KeyFileError(.corrupt, "openssh-key-v1: \(error)")
        }
    }

    /// The public key of an `openssh-key-v1` body, without decrypting anything.
    static func readPublicKey(_ body: [UInt8]) throws(KeyFileError) -> SSHPublicKey {
        guard body.starts(with: magic) else { throw KeyFileError(.corrupt, "missing openssh-key-v1 magic") }
        var buffer = ByteBuffer(bytes: body.dropFirst(magic.count))
        do {
            for _ in 0..<3 { _ = try buffer.readSSHString() }
            guard try buffer.readSSHUInt32() == 1 else {
                throw KeyFileError(.unsupportedFormat, "files with several keys")
            }
            return try SSHPublicKey(blob: Array(try buffer.readSSHString().readableBytesView))
        } catch let error as KeyFileError {
            throw error
        } catch {
            throw KeyFileError(.corrupt, "openssh-key-v1 public key: \(error)")
        }
    }

    private static func readUnchecked(_ body: [UInt8], passphrase: SecureBytes?) throws -> SSHPrivateKey {
        guard body.starts(with: magic) else { throw KeyFileError(.corrupt, "missing openssh-key-v1 magic") }
        var buffer = ByteBuffer(bytes: body.dropFirst(magic.count))
        let cipher = try KeyFileCipher.named(try buffer.readSSHUTF8String())
        let kdfName = try buffer.readSSHUTF8String()
        var kdfOptions = try buffer.readSSHString()
        guard try buffer.readSSHUInt32() == 1 else { throw KeyFileError(.unsupportedFormat, "files with several keys") }
        let publicBlob = Array(try buffer.readSSHString().readableBytesView)
        let encrypted = Array(try buffer.readSSHString().readableBytesView)
        guard let tag = buffer.readBytes(length: cipher.tagLength), buffer.readableBytes == 0 else {
            throw KeyFileError(.corrupt, "bytes missing or left over after the private section")
        }
        guard encrypted.count % cipher.blockLength == 0 else {
            throw KeyFileError(.corrupt, "private section is not a whole number of \(cipher.blockLength)-byte blocks")
        }
        var plain: [UInt8] = []
        defer { plain.zeroize() }
        switch (cipher.name, kdfName) {
        case ("none", "none"):
            plain = encrypted
        case ("none", _), (_, "none"):
            throw KeyFileError(.corrupt, "cipher \(cipher.name) with KDF \(kdfName)")
        case (_, "bcrypt"):
            let salt = Array(try kdfOptions.readSSHString().readableBytesView)
            let rounds = try kdfOptions.readSSHUInt32()
            guard kdfOptions.readableBytes == 0 else { throw KeyFileError(.corrupt, "bcrypt options too long") }
            guard let passphrase, passphrase.count > 0 else {
                throw KeyFileError(.passphraseRequired, "the key is encrypted with \(cipher.name)")
            }
            let material = try BcryptPBKDF.derive(
                passphrase: passphrase, salt: salt, rounds: Int(rounds),
                keyLength: cipher.keyLength + cipher.ivLength)
            do {
                plain = try cipher.apply(encrypted, material: material, encrypt: false, tag: tag)
            } catch {
                throw KeyFileError(.wrongPassphrase, "the passphrase does not decrypt the key")
            }
        default:
            throw KeyFileError(.unsupportedKDF, "KDF \(kdfName.debugDescription) is not supported")
        }
        return try readPrivateSection(
            plain, encrypted: cipher.name != "none", publicBlob: publicBlob)
    }

    private static func readPrivateSection(
        _ plain: [UInt8], encrypted: Bool, publicBlob: [UInt8]
    ) throws -> SSHPrivateKey {
        var section = ByteBuffer(bytes: plain)
        defer { section.zeroize() }
        let check1 = try section.readSSHUInt32()
        let check2 = try section.readSSHUInt32()
        guard check1 == check2 else {
            throw encrypted
                ? KeyFileError(.wrongPassphrase, "check values differ after decryption")
                : KeyFileError(.corrupt, "check values differ")
        }
        let type = try section.readSSHUTF8String()
        let key = try readKey(type: type, &section)
        let comment = String(decoding: try section.readSSHString().readableBytesView, as: UTF8.self)
        // OpenSSH checks only the 1, 2, 3, … pattern (sshkey.c private2_check_padding), and puttygen pads
        // with 1 to 16 bytes whatever the cipher's block, so the length is not held to the block.
        let padding = Array(section.readableBytesView)
        guard padding.count < 256, padding.enumerated().allSatisfy({ $0.element == UInt8($0.offset + 1) })
        else {
            throw KeyFileError(.corrupt, "padding is not 1, 2, 3, …")
        }
        guard key.isConsistentPair else {
            throw KeyFileError(.corrupt, "the private and public halves of the \(type) key do not match")
        }
        let privateKey = try SSHPrivateKey(key: key, comment: comment)
        guard privateKey.publicKey.blob == publicBlob else {
            throw KeyFileError(.corrupt, "the public key does not match the private key")
        }
        return privateKey
    }

    private static func secret(_ buffer: inout ByteBuffer) throws -> SecureBytes {
        SecureBytes(try buffer.readSSHUnsignedMPInt().readableBytesView)
    }

    static func readKey(type: String, _ section: inout ByteBuffer) throws -> OpenSSLKey {
        switch type {
        case "ssh-ed25519":
            let publicKey = Array(try section.readSSHString().readableBytesView)
            let pair = try section.readSSHString()
            guard publicKey.count == 32, pair.readableBytes == 64,
                Array(pair.readableBytesView.suffix(32)) == publicKey,
                let key = OpenSSLKey.ed25519(seed: SecureBytes(pair.readableBytesView.prefix(32)))
            else { throw KeyFileError(.corrupt, "malformed Ed25519 private key") }
            return key
        case SSHKeyType.ecdsaP256.sshName, SSHKeyType.ecdsaP384.sshName, SSHKeyType.ecdsaP521.sshName:
            let identifier = try section.readSSHUTF8String()
            let point = Array(try section.readSSHString().readableBytesView)
            return try ecKey(type: type, identifier: identifier, point: point, scalar: try secret(&section))
        case "ssh-rsa":
            let n = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let e = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let d = try secret(&section)
            let iqmp = try secret(&section)
            let p = try secret(&section)
            let q = try secret(&section)
            return try rsaKey(n: n, e: e, d: d, p: p, q: q, iqmp: iqmp)
        case "ssh-dss":
            let p = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let q = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let g = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let y = Array(try section.readSSHUnsignedMPInt().readableBytesView)
            let x = try secret(&section)
            return try dsaKey(p: p, q: q, g: g, y: y, x: x)
        default:
            throw KeyFileError(.unsupportedKeyType, "private keys of type \(type.debugDescription) are not supported")
        }
    }

    /// An ECDSA key of SSH type `type` from its curve identifier, public point and private scalar.
    static func ecKey(type: String, identifier: String, point: [UInt8], scalar: SecureBytes) throws -> OpenSSLKey {
        guard let curve = ECDHKeyAgreement.Curve(sshIdentifier: identifier), type == "ecdsa-sha2-" + identifier,
            scalar.count <= curve.coordinateLength,
            let key = OpenSSLKey.ec(curve: curve, point: point, scalar: scalar)
        else { throw KeyFileError(.corrupt, "malformed \(type) private key") }
        return key
    }

    static func rsaKey(
        n: [UInt8], e: [UInt8], d: SecureBytes, p: SecureBytes, q: SecureBytes, iqmp: SecureBytes
    ) throws -> OpenSSLKey {
        let bits = n.first.map { n.count * 8 - $0.leadingZeroBitCount } ?? 0
        guard bits >= RSALimits.minimumBits else {
            throw KeyFileError(.keyTooSmall, "RSA key of \(bits) bits; at least \(RSALimits.minimumBits) required")
        }
        guard bits <= RSALimits.maximumBits, e.count <= RSALimits.maximumExponentBytes else {
            throw KeyFileError(.corrupt, "RSA key of \(bits) bits with a \(e.count)-byte exponent")
        }
        let key: OpaquePointer? = n.withUnsafeBufferPointer { nb in
            e.withUnsafeBufferPointer { eb in
                d.withUnsafeBytes { db in
                    p.withUnsafeBytes { pb in
                        q.withUnsafeBytes { qb in
                            iqmp.withUnsafeBytes { ib in
                                paramiko_rsa_key_from_data(
                                    nb.baseAddress, nb.count, eb.baseAddress, eb.count,
                                    db.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? nb.baseAddress, db.count,
                                    pb.baseAddress?.assumingMemoryBound(to: UInt8.self), pb.count,
                                    qb.baseAddress?.assumingMemoryBound(to: UInt8.self), qb.count,
                                    ib.baseAddress?.assumingMemoryBound(to: UInt8.self), ib.count)
                            }
                        }
                    }
                }
            }
        }
        guard let key else {
            ERR_clear_error()
            throw KeyFileError(.corrupt, "malformed RSA private key")
        }
        return OpenSSLKey(key)
    }

    static func dsaKey(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8], x: SecureBytes) throws -> OpenSSLKey {
        guard p.count <= DSALimits.maximumPBytes, q.count <= DSALimits.maximumQBytes, g.count <= p.count,
            y.count <= p.count, x.count <= q.count
        else { throw KeyFileError(.corrupt, "DSA parameters out of range") }
        let key: OpaquePointer? = p.withUnsafeBufferPointer { pb in
            q.withUnsafeBufferPointer { qb in
                g.withUnsafeBufferPointer { gb in
                    y.withUnsafeBufferPointer { yb in
                        x.withUnsafeBytes { xb in
                            paramiko_dsa_key_from_data(
                                pb.baseAddress, pb.count, qb.baseAddress, qb.count, gb.baseAddress, gb.count,
                                yb.baseAddress, yb.count, xb.baseAddress?.assumingMemoryBound(to: UInt8.self), xb.count)
                        }
                    }
                }
            }
        }
        guard let key else {
            ERR_clear_error()
            throw KeyFileError(.corrupt, "malformed DSA private key")
        }
        return OpenSSLKey(key)
    }
}
