import COpenSSL

extension OpenSSLKey {
    /// Builds an Ed25519 key from its 32-byte public value, or from its 32-byte private seed (RFC 8032 §5.1.5).
    static func ed25519(publicKey: [UInt8]) -> OpenSSLKey? {
        guard publicKey.count == 32 else { return nil }
        let key = publicKey.withUnsafeBufferPointer {
            EVP_PKEY_new_raw_public_key_ex(nil, "ED25519", nil, $0.baseAddress, $0.count)
        }
        return key.map(OpenSSLKey.init)
    }

    static func ed25519(seed: SecureBytes) -> OpenSSLKey? {
        guard seed.count == 32 else { return nil }
        let key = seed.withUnsafeBytes {
            EVP_PKEY_new_raw_private_key_ex(
                nil, "ED25519", nil, $0.baseAddress?.assumingMemoryBound(to: UInt8.self), 32)
        }
        return key.map(OpenSSLKey.init)
    }

    /// An EC key on `curve` from an uncompressed point and, optionally, the private scalar; nil when the
    /// point is not on the curve.
    static func ec(curve: ECDHKeyAgreement.Curve, point: [UInt8], scalar: SecureBytes? = nil) -> OpenSSLKey? {
        try? ECDHKeyAgreement.makeKey(curve: curve, publicPoint: point, privateScalar: scalar)
    }

    /// Whether the private key matches the public key: for RSA, a signature made with the
    /// private half (through its CRT factors) verifies with the public half, as cheap as one
    /// signature where libcrypto's full check would test the primes (hundreds of milliseconds for
    /// RSA-3072); for the others `EVP_PKEY_pairwise_check` (d·G = Q for EC, y = g^x for DSA).
    var isConsistentPair: Bool {
        if EVP_PKEY_get_base_id(pointer) == EVP_PKEY_RSA {
            let probe = Array("paramiko key pair check".utf8)
            guard let signature = try? sign(probe, digest: .sha256) else { return false }
            return verify(signature, over: probe, digest: .sha256)
        }
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return false }
        defer {
            EVP_PKEY_CTX_free(context)
            ERR_clear_error()
        }
        return EVP_PKEY_pairwise_check(context) == 1
    }

    /// The size of the key in bits, as libcrypto counts it.
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// A big-number parameter ("n", "e", "d", "rsa-factor1", "p", "q", "g", "pub", "priv", ...) as
    /// big-endian bytes, or nil when the key lacks it.
    func bigNumber(_ name: String) -> [UInt8]? {
        let length = paramiko_pkey_bn_param(pointer, name, nil, 0)
        guard length >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let written = bytes.withUnsafeMutableBufferPointer {
            paramiko_pkey_bn_param(pointer, name, $0.baseAddress, $0.count)
        }
        guard written == length else { return nil }
        return bytes
    }

    /// A secret big-number parameter, in zeroing storage.
    func secretBigNumber(_ name: String) -> SecureBytes? {
        let length = paramiko_pkey_bn_param(pointer, name, nil, 0)
        guard length >= 0 else { return nil }
        var written: Int32 = -1
        let bytes = SecureBytes(count: Int(length)) { buffer in
            written = paramiko_pkey_bn_param(
                pointer, name, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count)
        }
        guard written == length else { return nil }
        return bytes
    }

    /// An octet-string parameter such as an EC key's encoded public point ("pub").
    func octets(_ name: String) -> [UInt8]? {
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pointer, name, nil, 0, &length) == 1 else {
            ERR_clear_error()
            return nil
        }
        var bytes = [UInt8](repeating: 0, count: length)
        let status = bytes.withUnsafeMutableBufferPointer {
            EVP_PKEY_get_octet_string_param(pointer, name, $0.baseAddress, $0.count, &length)
        }
        guard status == 1 else {
            ERR_clear_error()
            return nil
        }
        return Array(bytes.prefix(length))
    }

    /// Signs `data` with `EVP_DigestSign`; `digest` nil for Ed25519, which hashes internally.
    func sign(_ data: [UInt8], digest: DigestAlgorithm?) throws(CryptoError) -> [UInt8] {
        let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        defer { EVP_MD_CTX_free(context) }
        let md = try digest?.evp()
        try check(EVP_DigestSignInit(context, nil, md, nil, pointer), "EVP_DigestSignInit")
        var length = 0
        try data.withBytes { bytes throws(CryptoError) in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            try check(EVP_DigestSign(context, nil, &length, base, bytes.count), "EVP_DigestSign")
        }
        var signature = [UInt8](repeating: 0, count: length)
        try data.withBytes { bytes throws(CryptoError) in
            let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
            let status = signature.withUnsafeMutableBufferPointer {
                EVP_DigestSign(context, $0.baseAddress, &length, base, bytes.count)
            }
            try check(status, "EVP_DigestSign")
        }
        return Array(signature.prefix(length))
    }

    /// Verifies `signature` over `data` with `EVP_DigestVerify`; false on any failure.
    func verify(_ signature: [UInt8], over data: [UInt8], digest: DigestAlgorithm?) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            ERR_clear_error()
        }
        let md: OpaquePointer?
        do { md = try digest?.evp() } catch { return false }
        guard EVP_DigestVerifyInit(context, nil, md, nil, pointer) == 1 else { return false }
        let status = signature.withUnsafeBufferPointer { sig in
            data.withUnsafeBufferPointer { message in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, message.baseAddress, message.count)
            }
        }
        return status == 1
    }
}

/// Conversions between DER `SEQUENCE { INTEGER r, INTEGER s }` (what libcrypto speaks for DSA and
/// ECDSA) and the fixed-width or mpint forms SSH uses (RFC 4253 §6.6, RFC 5656 §3.1.2).
enum DERSignature {
    /// r and s, each left-padded to `width` bytes; nil when `der` is not one well-formed signature
    /// or a value is wider than `width`.
    static func rs(fromDER der: [UInt8], width: Int) -> (r: [UInt8], s: [UInt8])? {
        var out = [UInt8](repeating: 0, count: 2 * width)
        let status = der.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                paramiko_der_signature_to_rs(input.baseAddress, input.count, output.baseAddress, Int32(width))
            }
        }
        ERR_clear_error()
        guard status == 1 else { return nil }
        return (Array(out[0..<width]), Array(out[width...]))
    }

    /// The DER form of r and s (big-endian magnitudes).
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8]? {
        var pointer: UnsafeMutablePointer<UInt8>?
        let length = r.withUnsafeBufferPointer { rBytes in
            s.withUnsafeBufferPointer { sBytes in
                paramiko_rs_to_der_signature(
                    rBytes.baseAddress, rBytes.count, sBytes.baseAddress, sBytes.count, &pointer)
            }
        }
        defer { paramiko_openssl_free(pointer) }
        guard length > 0, let pointer else {
            ERR_clear_error()
            return nil
        }
        return Array(UnsafeBufferPointer(start: pointer, count: Int(length)))
    }
}
