import COpenSSL

/// aes128-gcm@openssh.com and aes256-gcm@openssh.com: AES-GCM as RFC 5647 §7 uses it, with the
/// packet length as additional authenticated data and a 12-byte nonce whose last 8 bytes are an
/// invocation counter incremented after every packet (libcrypto's `EVP_CTRL_GCM_IV_GEN`).
final class AESGCMProtection: PacketProtection {
    let cipherName: String
    let macName: String? = nil
    let blockSize = 16
    let lengthExcludedFromAlignment = true
    let tagLength = 16
    let lengthPeekSize = 4

    private let context: CipherContext
    private let encrypting: Bool
    /// Where libcrypto reports the invocation counter it used; the value is not needed.
    private let lastNonce = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 8)

    deinit { lastNonce.deallocate() }

    init(algorithm: CipherAlgorithm, key: SecureBytes, iv: SecureBytes, direction: PacketDirection)
        throws(CryptoError)
    {
        guard key.count == algorithm.keyLength, iv.count == 12 else {
            throw CryptoError(.invalidKeyLength, "\(algorithm.name) needs a \(algorithm.keyLength)-byte key and 12-byte IV")
        }
        cipherName = algorithm.name
        encrypting = direction == .outbound
        let cipher =
            algorithm == .aes128GCM
            ? try AlgorithmCache.aes128GCM.require("AES-128-GCM") : try AlgorithmCache.aes256GCM.require("AES-256-GCM")
        context = try CipherContext(cipher: cipher, key: UnsafeRawBufferPointer(start: nil, count: 0), iv: nil,
            encrypt: encrypting)
        try iv.withUnsafeBytes { ivBytes throws(CryptoError) in
            // libcrypto copies the IV; it does not write through this pointer.
            try context.control(EVP_CTRL_GCM_SET_IV_FIXED, -1, UnsafeMutableRawPointer(mutating: ivBytes.baseAddress))
        }
        try key.withUnsafeBytes { keyBytes throws(CryptoError) in
            try check(
                EVP_CipherInit_ex2(
                    context.context, nil, keyBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, -1, nil),
                "EVP_CipherInit_ex2")
        }
    }

    func decryptLength(_ bytes: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) -> UInt32 {
        guard bytes.count >= 4 else { throw CryptoError(.invalidLength, "need 4 bytes for the packet length") }
        return Self.readLength(UnsafeRawBufferPointer(bytes))
    }

    @inline(__always)
    private func nextNonce() throws(CryptoError) {
        try context.control(EVP_CTRL_GCM_IV_GEN, 8, lastNonce)
    }

    func openPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        let body = try bodyLength(packet)
        guard body % 16 == 0 else { throw CryptoError(.invalidLength, "GCM packet body not block aligned") }
        let base = packet.baseAddress!
        try nextNonce()
        try context.control(EVP_CTRL_GCM_SET_TAG, 16, base + 4 + body)
        try context.update(nil, base, count: 4)
        try context.update(base + 4, base + 4, count: body)
        guard context.finish() else {
            throw CryptoError(.authenticationFailed, "AES-GCM tag mismatch")
        }
    }

    /// Sealing in place is filling an empty gap at the end of the body: the same calls into libcrypto.
    func sealPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        try sealPacket(
            packet, filling: packet.count - tagLength, from: UnsafeRawBufferPointer(start: nil, count: 0),
            sequenceNumber: sequenceNumber)
    }

    /// GCM is a stream: the gap is encrypted from `data` between the bytes in place around it.
    func sealPacket(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError) {
        let body = try gap(in: packet, at: offset, count: data.count)
        guard body % 16 == 0 else { throw CryptoError(.invalidLength, "GCM packet body not block aligned") }
        let base = packet.baseAddress!
        let end = offset + data.count
        try nextNonce()
        try context.update(nil, base, count: 4)
        try context.update(base + 4, base + 4, count: offset - 4)
        if let source = data.baseAddress { try context.update(base + offset, source, count: data.count) }
        try context.update(base + end, base + end, count: 4 + body - end)
        guard context.finish() else { throw CryptoError.openSSL("EVP_CipherFinal_ex") }
        try context.control(EVP_CTRL_GCM_GET_TAG, 16, base + 4 + body)
    }
}
