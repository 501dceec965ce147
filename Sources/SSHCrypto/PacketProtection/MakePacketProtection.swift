extension CipherAlgorithm {
    /// Builds the protection for one direction from keys derived as RFC 4253 §7.2 describes.
    ///
    /// - Parameters:
    ///   - mac: the negotiated MAC; ignored (and may be nil) for AEAD ciphers, required otherwise.
    ///   - key: `keyLength` bytes of encryption key.
    ///   - iv: `ivLength` bytes of initial IV (empty for chacha20-poly1305).
    ///   - macKey: the MAC's key; ignored for AEAD ciphers.
    ///   - direction: whether this instance encrypts or decrypts.
    public func makeProtection(
        mac: MACAlgorithm?, key: SecureBytes, iv: SecureBytes, macKey: SecureBytes?, direction: PacketDirection
    ) throws(CryptoError) -> any PacketProtection {
        switch mode {
        case .chacha20Poly1305:
            return try ChaCha20Poly1305Protection(key: key)
        case .gcm:
            return try AESGCMProtection(algorithm: self, key: key, iv: iv, direction: direction)
        case .ctr, .cbc:
            guard let mac, let macKey else {
                throw CryptoError(.unsupportedAlgorithm, "\(name) needs a MAC")
            }
            return try BlockCipherMACProtection(
                algorithm: self, mac: mac, key: key, iv: iv, macKey: macKey, direction: direction)
        }
    }
}
