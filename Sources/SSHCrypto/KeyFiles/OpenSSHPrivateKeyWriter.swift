import COpenSSL
import NIOCore
import SSHWire

extension OpenSSHKeyFormat {
    /// Encodes `key` as an `openssh-key-v1` body (PROTOCOL.key), encrypted with `cipherName` and
    /// bcrypt_pbkdf when `passphrase` is non-empty.
    static func write(
        _ key: SSHPrivateKey, passphrase: SecureBytes?, cipherName: String, rounds: Int
    ) throws(KeyFileError) -> [UInt8] {
        let encrypting = (passphrase?.count ?? 0) > 0
        let cipher = encrypting ? try KeyFileCipher.named(cipherName) : .none
        var section = ByteBuffer()
        var random = SystemRandom()
        let check = UInt32.random(in: .min ... .max, using: &random)
        section.writeSSHUInt32(check)
        section.writeSSHUInt32(check)
        section.writeSSHString(key.type.sshName)
        do {
            try writeFields(of: key, into: &section)
        } catch {
            throw KeyFileError(.crypto, "cannot export the \(key.type.sshName) key: \(error)")
        }
        section.writeSSHString(key.comment)
        var pad: UInt8 = 1
        while section.readableBytes % cipher.blockLength != 0 {
            section.writeInteger(pad)
            pad += 1
        }
        var plain = Array(section.readableBytesView)
        section.zeroize()
        defer { plain.zeroize() }

        var out = ByteBuffer()
        out.writeBytes(magic)
        out.writeSSHString(cipher.name)
        let sealed: [UInt8]
        if encrypting, let passphrase {
            guard (1...BcryptPBKDF.maximumRounds).contains(rounds) else {
                throw KeyFileError(
                    .kdfRoundsOutOfRange, "bcrypt rounds \(rounds) outside 1…\(BcryptPBKDF.maximumRounds)")
            }
            let salt = random.bytes(saltLength)
            out.writeSSHString("bcrypt")
            var options = ByteBuffer()
            options.writeSSHString(salt)
            options.writeSSHUInt32(UInt32(rounds))
            out.writeSSHString(options)
            let material = try BcryptPBKDF.derive(
                passphrase: passphrase, salt: salt, rounds: rounds,
                keyLength: cipher.keyLength + cipher.ivLength)
            do {
                sealed = try cipher.apply(plain, material: material, encrypt: true)
            } catch {
                throw KeyFileError(.crypto, "\(cipher.name): \(error)")
            }
        } else {
            out.writeSSHString("none")
            out.writeSSHString([UInt8]())
            sealed = plain
        }
        out.writeSSHUInt32(1)
        out.writeSSHString(key.publicKey.blob)
        let bodyLength = sealed.count - cipher.tagLength
        out.writeSSHString(sealed[0..<bodyLength])
        out.writeBytes(sealed[bodyLength...])
        return Array(out.readableBytesView)
    }

    static func writeFields(of privateKey: SSHPrivateKey, into section: inout ByteBuffer) throws(CryptoError) {
        let key = privateKey.key
        func number(_ name: String) throws(CryptoError) -> [UInt8] {
            guard let value = key.bigNumber(name) else { throw CryptoError.openSSL("key parameter \(name)") }
            return value
        }
        switch privateKey.type {
        case .ed25519:
            var seed = [UInt8](repeating: 0, count: 32)
            defer { seed.zeroize() }
            var length = 32
            let status = seed.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_private_key(key.pointer, $0.baseAddress, &length)
            }
            try check(status, "EVP_PKEY_get_raw_private_key")
            var blob = ByteBuffer(bytes: privateKey.publicKey.blob)
            _ = try? blob.readSSHString()
            guard let publicKey = try? blob.readSSHString() else { throw CryptoError.openSSL("Ed25519 public key") }
            section.writeSSHString(publicKey)
            section.writeSSHString(seed + Array(publicKey.readableBytesView))
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard let curve = privateKey.type.curve, let point = key.octets("pub") else {
                throw CryptoError.openSSL("EC point")
            }
            section.writeSSHString(curve.sshIdentifier)
            section.writeSSHString(point)
            section.writeSSHMPInt(unsignedBigEndian: try number("priv"))
        case .rsa:
            for name in ["n", "e", "d", "rsa-coefficient1", "rsa-factor1", "rsa-factor2"] {
                section.writeSSHMPInt(unsignedBigEndian: try number(name))
            }
        case .dsa:
            for name in ["p", "q", "g", "pub", "priv"] {
                section.writeSSHMPInt(unsignedBigEndian: try number(name))
            }
        }
    }
}
