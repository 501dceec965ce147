import COpenSSL

/// An owned `EVP_PKEY`, freed when released. `EVP_PKEY` objects are reference counted
/// and safe to read from several threads once built.
final class OpenSSLKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Runs `EVP_PKEY_derive` between this private key and `peer`.
    func derive(with peer: OpenSSLKey) throws(CryptoError) -> SecureBytes {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_pkey")
        }
        defer { EVP_PKEY_CTX_free(context) }
        try check(EVP_PKEY_derive_init(context), "EVP_PKEY_derive_init")
        guard EVP_PKEY_derive_set_peer(context, peer.pointer) == 1 else {
            ERR_clear_error()
            throw CryptoError(.invalidPublicValue, "the peer's public key was rejected")
        }
        var length = 0
        try check(EVP_PKEY_derive(context, nil, &length), "EVP_PKEY_derive")
        var status: Int32 = 0
        let secret = SecureBytes(count: length) { buffer in
            status = EVP_PKEY_derive(context, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
        }
        guard status == 1 else {
            ERR_clear_error()
            throw CryptoError(.invalidPublicValue, "key agreement with the peer's public key failed")
        }
        return secret.prefix(length)
    }
}
