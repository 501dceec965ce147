import SSHCrypto
import SSHWire
import NIOCore

/// The keys one direction needs, derived as RFC 4253 §7.2 describes.
struct DirectionKeys {
    var iv: SecureBytes
    var key: SecureBytes
    var macKey: SecureBytes
}

enum KeyDerivation {
    /// `K` encoded as an SSH mpint, as it enters the exchange hash and key derivation.
    static func encodedSecret(_ secret: SecureBytes) -> SecureBytes {
        secret.withUnsafeBytes { bytes in
            var buffer = ByteBuffer()
            buffer.writeSSHMPInt(unsignedBigEndian: bytes)
            let encoded = SecureBytes(buffer.readableBytesView)
            _ = buffer.withUnsafeMutableReadableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
            return encoded
        }
    }

    /// `K` encoded as an SSH string: a hybrid post-quantum method's hash (draft-josefsson-ntruprime-ssh §2).
    static func encodedStringSecret(_ secret: SecureBytes) -> SecureBytes {
        secret.withUnsafeBytes { bytes in
            var buffer = ByteBuffer()
            buffer.writeSSHString(bytes)
            let encoded = SecureBytes(buffer.readableBytesView)
            _ = buffer.withUnsafeMutableReadableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
            return encoded
        }
    }

    /// `HASH(K || H || letter || session_id)`, extended with `HASH(K || H || K1 || …)` until long enough.
    static func derive(
        letter: UInt8, length: Int, hash: DigestAlgorithm, encodedSecret: SecureBytes, exchangeHash: [UInt8],
        sessionID: [UInt8]
    ) throws(CryptoError) -> SecureBytes {
        guard length > 0 else { return SecureBytes([]) }
        var hasher = try DigestHasher(hash)
        encodedSecret.withUnsafeBytes { hasher.update($0) }
        hasher.update(exchangeHash)
        hasher.update([letter])
        hasher.update(sessionID)
        var output = try hasher.finalize()
        while output.count < length {
            var more = try DigestHasher(hash)
            encodedSecret.withUnsafeBytes { more.update($0) }
            more.update(exchangeHash)
            more.update(output)
            output += try more.finalize()
        }
        let result = SecureBytes(output.prefix(length))
        for index in output.indices { output[index] = 0 }
        return result
    }

    /// The client-to-server (letters A, C, E) or server-to-client (B, D, F) keys.
    static func keys(
        clientToServer: Bool, cipher: CipherAlgorithm, mac: MACAlgorithm?, hash: DigestAlgorithm,
        encodedSecret: SecureBytes, exchangeHash: [UInt8], sessionID: [UInt8]
    ) throws(CryptoError) -> DirectionKeys {
        let base: UInt8 = clientToServer ? UInt8(ascii: "A") : UInt8(ascii: "B")
        func make(_ offset: UInt8, _ length: Int) throws(CryptoError) -> SecureBytes {
            try derive(
                letter: base + offset, length: length, hash: hash, encodedSecret: encodedSecret,
                exchangeHash: exchangeHash, sessionID: sessionID)
        }
        return DirectionKeys(
            iv: try make(0, cipher.ivLength), key: try make(2, cipher.keyLength), macKey: try make(4, mac?.keyLength ?? 0))
    }
}
