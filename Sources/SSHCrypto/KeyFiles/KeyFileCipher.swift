import COpenSSL

/// The ciphers an `openssh-key-v1` file may be encrypted with (PROTOCOL.key; OpenSSH `cipher.c`),
/// run through libcrypto's EVP interface. The file cipher has no packet framing: CTR and CBC run over
/// the whole private section; GCM appends its 16-byte tag after the section, with no AAD.
struct KeyFileCipher: Sendable {
    let name: String
    let keyLength: Int
    let ivLength: Int
    let blockLength: Int
    let tagLength: Int
    private let algorithm: FetchedAlgorithm?

    /// The cipher OpenSSH and this library write by default.
    static let defaultName = "aes256-ctr"

    static let none = KeyFileCipher(
        name: "none", keyLength: 0, ivLength: 0, blockLength: 8, tagLength: 0, algorithm: nil)

    static let supported: [KeyFileCipher] = [
        KeyFileCipher(
            name: "aes128-ctr", keyLength: 16, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes128CTR),
        KeyFileCipher(
            name: "aes192-ctr", keyLength: 24, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes192CTR),
        KeyFileCipher(
            name: "aes256-ctr", keyLength: 32, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes256CTR),
        KeyFileCipher(
            name: "aes128-cbc", keyLength: 16, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes128CBC),
        KeyFileCipher(
            name: "aes192-cbc", keyLength: 24, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes192CBC),
        KeyFileCipher(
            name: "aes256-cbc", keyLength: 32, ivLength: 16, blockLength: 16, tagLength: 0,
            algorithm: AlgorithmCache.aes256CBC),
        KeyFileCipher(
            name: "3des-cbc", keyLength: 24, ivLength: 8, blockLength: 8, tagLength: 0,
            algorithm: AlgorithmCache.tripleDESCBC),
        KeyFileCipher(
            name: "aes128-gcm@openssh.com", keyLength: 16, ivLength: 12, blockLength: 16, tagLength: 16,
            algorithm: AlgorithmCache.aes128GCM),
        KeyFileCipher(
            name: KeyFileChaChaPoly.name, keyLength: 64, ivLength: 0, blockLength: 8, tagLength: 16,
            algorithm: AlgorithmCache.chacha20),
        KeyFileCipher(
            name: "aes256-gcm@openssh.com", keyLength: 32, ivLength: 12, blockLength: 16, tagLength: 16,
            algorithm: AlgorithmCache.aes256GCM),
    ]

    static func named(_ name: String) throws(KeyFileError) -> KeyFileCipher {
        if name == "none" { return .none }
        guard let cipher = supported.first(where: { $0.name == name }) else {
            throw KeyFileError(.unsupportedCipher, "cipher \(name.debugDescription) is not supported")
        }
        return cipher
    }

    /// Encrypts or decrypts `input` with the first `keyLength` bytes of `material` as the key and the
    /// next `ivLength` as the IV. Encryption appends the GCM tag; decryption checks the `tag` given and
    /// throws `.authenticationFailed` when it does not match.
    func apply(
        _ input: [UInt8], material: SecureBytes, encrypt: Bool, tag: [UInt8] = []
    ) throws(CryptoError) -> [UInt8] {
        guard let algorithm else { return input }
        if name == KeyFileChaChaPoly.name {
            return try KeyFileChaChaPoly.apply(input, material: material, encrypt: encrypt, tag: tag)
        }
        precondition(material.count >= keyLength + ivLength, "key material too short")
        let context = try check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        defer { EVP_CIPHER_CTX_free(context) }
        try material.withUnsafeBytes { bytes throws(CryptoError) in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let status = EVP_CipherInit_ex2(
                context, algorithm.pointer, base, base.map { $0 + keyLength }, encrypt ? 1 : 0, nil)
            try check(status, "EVP_CipherInit_ex2")
        }
        try check(EVP_CIPHER_CTX_set_padding(context, 0), "EVP_CIPHER_CTX_set_padding")
        var output = [UInt8](repeating: 0, count: input.count + blockLength)
        defer { output.zeroize() }
        var length: Int32 = 0
        var total = 0
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                EVP_CipherUpdate(context, destination.baseAddress, &length, source.baseAddress, Int32(source.count))
            }
        }
        try check(status, "EVP_CipherUpdate")
        total = Int(length)
        if tagLength > 0, !encrypt {
            guard tag.count == tagLength else { throw CryptoError(.authenticationFailed, "GCM tag missing") }
            var tagCopy = tag
            let set = tagCopy.withUnsafeMutableBytes {
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagLength), $0.baseAddress)
            }
            try check(set, "EVP_CTRL_GCM_SET_TAG")
        }
        let final = output.withUnsafeMutableBufferPointer {
            EVP_CipherFinal_ex(context, $0.baseAddress.map { $0 + total }, &length)
        }
        guard final == 1 else {
            ERR_clear_error()
            throw CryptoError(.authenticationFailed, "\(name) decryption failed")
        }
        total += Int(length)
        var result = Array(output.prefix(total))
        if tagLength > 0, encrypt {
            var computed = [UInt8](repeating: 0, count: tagLength)
            let get = computed.withUnsafeMutableBytes {
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagLength), $0.baseAddress)
            }
            try check(get, "EVP_CTRL_GCM_GET_TAG")
            result += computed
        }
        return result
    }
}
