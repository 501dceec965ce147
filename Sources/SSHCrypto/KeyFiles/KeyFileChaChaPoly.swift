import COpenSSL

/// chacha20-poly1305@openssh.com as OpenSSH applies it to a key file (`cipher.c` with sequence
/// number 0 and no associated data): the Poly1305 key is block 0 of ChaCha20 under the first 32 bytes
/// of the key with an all-zero nonce, the data is encrypted from block 1, and the tag covers the
/// ciphertext alone. The other 32 bytes (the packet length key) go unused.
enum KeyFileChaChaPoly {
    static let name = "chacha20-poly1305@openssh.com"

    static func apply(
        _ input: [UInt8], material: SecureBytes, encrypt: Bool, tag: [UInt8]
    ) throws(CryptoError) -> [UInt8] {
        let cipher = try AlgorithmCache.chacha20.require("ChaCha20")
        let zeros = [UInt8](repeating: 0, count: 64)
        let context = try material.withUnsafeBytes { bytes throws(CryptoError) in
            try zeros.withBytes { nonce throws(CryptoError) in
                try CipherContext(
                    cipher: cipher, key: UnsafeRawBufferPointer(rebasing: bytes[0..<32]),
                    iv: UnsafeRawBufferPointer(rebasing: nonce[0..<16]), encrypt: true)
            }
        }
        // Block 0 of the keystream; its first half is the Poly1305 key.
        var block = zeros
        defer { block.zeroize() }
        try block.withMutableBytes { bytes throws(CryptoError) in
            guard let base = bytes.baseAddress else { return }
            try context.update(base, base, count: 64)
        }
        let poly = try Poly1305Context()
        func authenticate(_ ciphertext: [UInt8]) throws(CryptoError) -> [UInt8] {
            var computed = [UInt8](repeating: 0, count: Poly1305Context.tagLength)
            try block.withBytes { key throws(CryptoError) in
                try ciphertext.withBytes { data throws(CryptoError) in
                    try computed.withMutableBytes { out throws(CryptoError) in
                        guard let keyBase = key.baseAddress, let outBase = out.baseAddress else { return }
                        try poly.tag(
                            key: keyBase.assumingMemoryBound(to: UInt8.self), data,
                            into: outBase.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
            return computed
        }
        if !encrypt {
            let expected = try authenticate(input)
            let matches = expected.withUnsafeBytes { lhs in tag.withUnsafeBytes { rhs in ConstantTime.equals(lhs, rhs) }
            }
            guard matches else { throw CryptoError(.authenticationFailed, "Poly1305 tag mismatch") }
        }
        var output = input
        try output.withMutableBytes { bytes throws(CryptoError) in
            guard let base = bytes.baseAddress else { return }
            try context.update(base, base, count: bytes.count)
        }
        return encrypt ? output + (try authenticate(output)) : output
    }
}
