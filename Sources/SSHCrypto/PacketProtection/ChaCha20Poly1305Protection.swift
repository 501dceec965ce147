import COpenSSL

/// chacha20-poly1305@openssh.com, as OpenSSH's PROTOCOL.chacha20poly1305 defines it.
///
/// The 64-byte key splits into K_2 (the first 32 bytes, for the packet body and the
/// Poly1305 key) and K_1 (the last 32, for the length). Each packet's nonce is its sequence
/// number; the Poly1305 key is the first 32 bytes of K_2's keystream block 0, the body is
/// encrypted from block 1, and the tag covers the encrypted length and body.
final class ChaCha20Poly1305Protection: PacketProtection {
    let cipherName = CipherAlgorithm.chacha20Poly1305.name
    let macName: String? = nil
    let blockSize = 8
    let lengthExcludedFromAlignment = true
    let tagLength = 16
    let lengthPeekSize = 4

    private let main: CipherContext
    private let header: CipherContext
    private let poly: Poly1305Context
    /// Block 0 of the main keystream (the Poly1305 key is its first half), the IV, the computed tag
    /// and a block of zeros to encrypt.
    private let scratch: UnsafeMutableRawBufferPointer

    init(key: SecureBytes) throws(CryptoError) {
        guard key.count == 64 else {
            throw CryptoError(.invalidKeyLength, "chacha20-poly1305 needs a 64-byte key, not \(key.count)")
        }
        let cipher = try AlgorithmCache.chacha20.require("ChaCha20")
        let contexts = try key.withUnsafeBytes { bytes throws(CryptoError) in
            (
                try CipherContext(
                    cipher: cipher, key: UnsafeRawBufferPointer(rebasing: bytes[0..<32]), iv: nil, encrypt: true),
                try CipherContext(
                    cipher: cipher, key: UnsafeRawBufferPointer(rebasing: bytes[32..<64]), iv: nil, encrypt: true)
            )
        }
        main = contexts.0
        header = contexts.1
        poly = try Poly1305Context()
        scratch = .allocate(byteCount: 64 + 16 + 16 + 64, alignment: 16)
        scratch.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        OPENSSL_cleanse(scratch.baseAddress, scratch.count)
        scratch.deallocate()
    }

    private var polyKey: UnsafeMutablePointer<UInt8> { scratch.baseAddress!.assumingMemoryBound(to: UInt8.self) }
    private var iv: UnsafeMutablePointer<UInt8> { polyKey + 64 }
    private var computedTag: UnsafeMutablePointer<UInt8> { polyKey + 80 }
    private var zeros: UnsafeMutablePointer<UInt8> { polyKey + 96 }

    /// Sets `context` to counter 0 with the sequence number as the 64-bit nonce.
    @inline(__always)
    private func start(_ context: CipherContext, sequenceNumber: UInt32) throws(CryptoError) {
        for index in 0..<12 { iv[index] = 0 }
        iv[12] = UInt8(truncatingIfNeeded: sequenceNumber >> 24)
        iv[13] = UInt8(truncatingIfNeeded: sequenceNumber >> 16)
        iv[14] = UInt8(truncatingIfNeeded: sequenceNumber >> 8)
        iv[15] = UInt8(truncatingIfNeeded: sequenceNumber)
        try context.reset(iv: iv)
    }

    /// Runs the main key over block 0, leaving the Poly1305 key in scratch and the stream at block 1.
    @inline(__always)
    private func derivePolyKey(sequenceNumber: UInt32) throws(CryptoError) {
        try start(main, sequenceNumber: sequenceNumber)
        try main.update(polyKey, zeros, count: 64)
    }

    func decryptLength(_ bytes: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) -> UInt32 {
        guard bytes.count >= 4 else { throw CryptoError(.invalidLength, "need 4 bytes for the packet length") }
        try start(header, sequenceNumber: sequenceNumber)
        let plain = computedTag
        try header.update(plain, bytes.baseAddress!, count: 4)
        return Self.readLength(UnsafeRawBufferPointer(start: plain, count: 4))
    }

    func openPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        let body = try bodyLength(packet)
        let base = packet.baseAddress!
        try derivePolyKey(sequenceNumber: sequenceNumber)
        try poly.tag(key: polyKey, UnsafeRawBufferPointer(start: base, count: 4 + body), into: computedTag)
        let received = UnsafeRawBufferPointer(start: base + 4 + body, count: 16)
        guard ConstantTime.equals(UnsafeRawBufferPointer(start: computedTag, count: 16), received) else {
            throw CryptoError(.authenticationFailed, "Poly1305 tag mismatch")
        }
        try start(header, sequenceNumber: sequenceNumber)
        try header.update(base, base, count: 4)
        try main.update(base + 4, base + 4, count: body)
    }

    /// Sealing in place is filling an empty gap at the end of the body: the same calls into libcrypto.
    func sealPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        try sealPacket(
            packet, filling: packet.count - tagLength, from: UnsafeRawBufferPointer(start: nil, count: 0),
            sequenceNumber: sequenceNumber)
    }

    /// ChaCha20 is a stream: the gap is encrypted from `data` between the bytes in place around
    /// it, and the tag then covers the ciphertext, all of it in the packet by then.
    func sealPacket(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError) {
        let body = try gap(in: packet, at: offset, count: data.count)
        let base = packet.baseAddress!
        let end = offset + data.count
        try derivePolyKey(sequenceNumber: sequenceNumber)
        try start(header, sequenceNumber: sequenceNumber)
        try header.update(base, base, count: 4)
        try main.update(base + 4, base + 4, count: offset - 4)
        if let source = data.baseAddress { try main.update(base + offset, source, count: data.count) }
        try main.update(base + end, base + end, count: 4 + body - end)
        try poly.tag(
            key: polyKey, UnsafeRawBufferPointer(start: base, count: 4 + body),
            into: (base + 4 + body).assumingMemoryBound(to: UInt8.self))
    }
}
