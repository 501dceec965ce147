import COpenSSL

/// One `EVP_CIPHER_CTX` keyed for one direction. Not thread-safe: a context belongs to
/// the connection that created it.
final class CipherContext {
    let context: OpaquePointer

    init(cipher: OpaquePointer, key: UnsafeRawBufferPointer, iv: UnsafeRawBufferPointer?, encrypt: Bool)
        throws(CryptoError)
    {
        context = try check(EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")
        let keyPointer = key.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let ivPointer = iv?.baseAddress?.assumingMemoryBound(to: UInt8.self)
        try check(
            EVP_CipherInit_ex2(context, cipher, keyPointer, ivPointer, encrypt ? 1 : 0, nil),
            "EVP_CipherInit_ex2")
        _ = EVP_CIPHER_CTX_set_padding(context, 0)
    }

    deinit { EVP_CIPHER_CTX_free(context) }

    /// Sets a new IV, keeping the key.
    @inline(__always)
    func reset(iv: UnsafePointer<UInt8>) throws(CryptoError) {
        try check(EVP_CipherInit_ex2(context, nil, nil, iv, -1, nil), "EVP_CipherInit_ex2")
    }

    /// Transforms `count` bytes from `input` into `output` (which may be the same memory).
    @inline(__always)
    func update(_ output: UnsafeMutableRawPointer?, _ input: UnsafeRawPointer, count: Int) throws(CryptoError) {
        guard count > 0 else { return }
        var written: Int32 = 0
        try check(
            EVP_CipherUpdate(
                context, output?.assumingMemoryBound(to: UInt8.self), &written,
                input.assumingMemoryBound(to: UInt8.self), Int32(count)),
            "EVP_CipherUpdate")
    }

    /// Finishes an AEAD operation; on decryption this is where the tag is checked.
    @inline(__always)
    func finish() -> Bool {
        var written: Int32 = 0
        var scratch: (UInt64, UInt64) = (0, 0)
        return withUnsafeMutableBytes(of: &scratch) { buffer in
            EVP_CipherFinal_ex(context, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &written) == 1
        }
    }

    @inline(__always)
    func control(_ type: Int32, _ argument: Int32, _ pointer: UnsafeMutableRawPointer?) throws(CryptoError) {
        try check(EVP_CIPHER_CTX_ctrl(context, type, argument, pointer), "EVP_CIPHER_CTX_ctrl")
    }
}
