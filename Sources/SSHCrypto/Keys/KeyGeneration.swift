import COpenSSL

extension SSHPrivateKey {
    /// Generates a new key with libcrypto's generator. `bits` applies to RSA (1,024 … 16,384,
    /// default 3,072) and DSA (1,024 only); for ECDSA it picks the curve (256, 384, 521) when the
    /// type does not; Ed25519 ignores it unless it differs from 256.
    public static func generate(_ type: SSHKeyType, bits: Int? = nil) throws(CryptoError) -> SSHPrivateKey {
        let key: OpaquePointer
        switch type {
        case .ed25519:
            guard bits == nil || bits == 256 else { throw CryptoError(.invalidKeyLength, "Ed25519 keys are 256 bits") }
            key = try generate(algorithm: "ED25519") { _ in 1 }
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard let curve = type.curve else { throw CryptoError(.unsupportedAlgorithm, type.rawValue) }
            guard bits == nil || bits == curve.bits else {
                throw CryptoError(.invalidKeyLength, "\(type.sshName) keys are \(curve.bits) bits")
            }
            key = try generate(algorithm: "EC") { EVP_PKEY_CTX_set_group_name($0, curve.groupName) }
        case .rsa:
            let size = bits ?? type.defaultBits
            guard (RSALimits.minimumBits...RSALimits.maximumBits).contains(size) else {
                throw CryptoError(
                    .invalidKeyLength,
                    "RSA keys are \(RSALimits.minimumBits) to \(RSALimits.maximumBits) bits, not \(size)")
            }
            key = try generate(algorithm: "RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, Int32(size)) }
        case .dsa:
            guard bits == nil || bits == 1024 else { throw CryptoError(.invalidKeyLength, "DSA keys are 1024 bits") }
            key = try check(paramiko_dsa_generate(1024), "DSA key generation")
        }
        return try SSHPrivateKey(key: OpenSSLKey(key))
    }

    private static func generate(
        algorithm: String, configure: (OpaquePointer) -> Int32
    ) throws(CryptoError) -> OpaquePointer {
        let context = try check(EVP_PKEY_CTX_new_from_name(nil, algorithm, nil), "EVP_PKEY_CTX_new_from_name")
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_keygen_init(context), "EVP_PKEY_keygen_init")
        try check(configure(context), "\(algorithm) key parameters")
        var key: OpaquePointer?
        try check(EVP_PKEY_generate(context, &key), "EVP_PKEY_generate")
        return try check(key, "EVP_PKEY_generate")
    }
}

extension SSHPrivateKey {
    /// An Ed25519 key from its 32-byte private seed (RFC 8032 §5.1.5), for deterministic keys in tests
    /// and for keys kept outside key files.
    public init(ed25519Seed seed: SecureBytes, comment: String = "") throws(CryptoError) {
        guard let key = OpenSSLKey.ed25519(seed: seed) else {
            throw CryptoError(.invalidKeyLength, "an Ed25519 seed is 32 bytes, not \(seed.count)")
        }
        try self.init(key: key, comment: comment)
    }
}
