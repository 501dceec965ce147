import COpenSSL

/// A non-AEAD cipher (AES-CTR, AES-CBC, 3DES-CBC) with an HMAC or a UMAC, in either arrangement:
/// - encrypt-and-MAC (RFC 4253 §6.4): the MAC covers the plaintext packet (after `uint32 sequence`
///   for HMAC; UMAC takes the sequence number as its nonce) and the whole packet, length
///   included, is encrypted;
/// - encrypt-then-MAC (OpenSSH's `-etm@openssh.com`): the length stays in clear and the MAC
///   covers `length || ciphertext` (after `uint32 sequence` for HMAC), checked before anything
///   is decrypted.
final class BlockCipherMACProtection: PacketProtection {
    let cipherName: String
    let macName: String?
    let blockSize: Int
    let lengthExcludedFromAlignment: Bool
    let tagLength: Int
    let lengthPeekSize: Int

    private let cipher: CipherContext
    private let mac: PacketMAC
    private let encryptThenMAC: Bool
    /// Counter mode continues a keystream byte by byte, so part of its input can come from elsewhere.
    private let isStream: Bool
    private let computed: UnsafeMutablePointer<UInt8>

    init(
        algorithm: CipherAlgorithm, mac macAlgorithm: MACAlgorithm, key: SecureBytes, iv: SecureBytes,
        macKey: SecureBytes, direction: PacketDirection
    ) throws(CryptoError) {
        guard key.count == algorithm.keyLength, iv.count == algorithm.ivLength,
            macKey.count == macAlgorithm.keyLength
        else {
            throw CryptoError(.invalidKeyLength, "wrong key, IV or MAC key size for \(algorithm.name)")
        }
        cipherName = algorithm.name
        macName = macAlgorithm.name
        blockSize = max(8, algorithm.blockSize)
        encryptThenMAC = macAlgorithm.encryptThenMAC
        isStream = algorithm.mode == .ctr
        lengthExcludedFromAlignment = macAlgorithm.encryptThenMAC
        tagLength = macAlgorithm.outputLength
        lengthPeekSize = macAlgorithm.encryptThenMAC ? 4 : algorithm.blockSize
        let evp = try Self.evpCipher(algorithm)
        cipher = try key.withUnsafeBytes { keyBytes throws(CryptoError) in
            try iv.withUnsafeBytes { ivBytes throws(CryptoError) in
                try CipherContext(cipher: evp, key: keyBytes, iv: ivBytes, encrypt: direction == .outbound)
            }
        }
        mac = try macKey.withUnsafeBytes { bytes throws(CryptoError) in
            try PacketMAC(macAlgorithm, key: bytes)
        }
        computed = .allocate(capacity: 64)
    }

    deinit { computed.deallocate() }

    private static func evpCipher(_ algorithm: CipherAlgorithm) throws(CryptoError) -> OpaquePointer {
        switch algorithm {
        case .aes128CTR: try AlgorithmCache.aes128CTR.require("AES-128-CTR")
        case .aes192CTR: try AlgorithmCache.aes192CTR.require("AES-192-CTR")
        case .aes256CTR: try AlgorithmCache.aes256CTR.require("AES-256-CTR")
        case .aes128CBC: try AlgorithmCache.aes128CBC.require("AES-128-CBC")
        case .aes192CBC: try AlgorithmCache.aes192CBC.require("AES-192-CBC")
        case .aes256CBC: try AlgorithmCache.aes256CBC.require("AES-256-CBC")
        case .tripleDESCBC: try AlgorithmCache.tripleDESCBC.require("DES-EDE3-CBC")
        default: throw CryptoError(.unsupportedAlgorithm, "\(algorithm.name) is not a block cipher with a MAC")
        }
    }

    func decryptLength(_ bytes: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) -> UInt32 {
        guard bytes.count >= lengthPeekSize else {
            throw CryptoError(.invalidLength, "need \(lengthPeekSize) bytes for the packet length")
        }
        if !encryptThenMAC {
            try cipher.update(bytes.baseAddress, bytes.baseAddress!, count: lengthPeekSize)
        }
        return Self.readLength(UnsafeRawBufferPointer(bytes))
    }

    @inline(__always)
    private func verify(_ data: UnsafeRawBufferPointer, tag: UnsafeRawPointer, sequenceNumber: UInt32)
        throws(CryptoError)
    {
        try mac.authenticate(sequenceNumber: sequenceNumber, data, into: computed)
        guard
            ConstantTime.equals(
                UnsafeRawBufferPointer(start: computed, count: tagLength),
                UnsafeRawBufferPointer(start: tag, count: tagLength))
        else {
            throw CryptoError(.authenticationFailed, "\(macName ?? "MAC") mismatch")
        }
    }

    func openPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        let body = try bodyLength(packet)
        let base = packet.baseAddress!
        let covered = UnsafeRawBufferPointer(start: base, count: 4 + body)
        if encryptThenMAC {
            guard body % blockSize == 0 else { throw CryptoError(.invalidLength, "packet not block aligned") }
            try verify(covered, tag: base + 4 + body, sequenceNumber: sequenceNumber)
            try cipher.update(base + 4, base + 4, count: body)
        } else {
            guard (4 + body) % blockSize == 0, 4 + body >= lengthPeekSize else {
                throw CryptoError(.invalidLength, "packet not block aligned")
            }
            let rest = 4 + body - lengthPeekSize
            try cipher.update(base + lengthPeekSize, base + lengthPeekSize, count: rest)
            try verify(covered, tag: base + 4 + body, sequenceNumber: sequenceNumber)
        }
    }

    func sealPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) {
        let body = try bodyLength(packet)
        let base = packet.baseAddress!
        let covered = UnsafeRawBufferPointer(start: base, count: 4 + body)
        let tag = (base + 4 + body).assumingMemoryBound(to: UInt8.self)
        if encryptThenMAC {
            guard body % blockSize == 0 else { throw CryptoError(.invalidLength, "packet not block aligned") }
            try cipher.update(base + 4, base + 4, count: body)
            try mac.authenticate(sequenceNumber: sequenceNumber, covered, into: computed)
        } else {
            guard (4 + body) % blockSize == 0 else { throw CryptoError(.invalidLength, "packet not block aligned") }
            try mac.authenticate(sequenceNumber: sequenceNumber, covered, into: computed)
            try cipher.update(base, base, count: 4 + body)
        }
        tag.update(from: computed, count: tagLength)
    }

    /// Counter mode encrypts the gap from `data` between the bytes in place around it; the MAC
    /// covers the plaintext in its three places (encrypt-and-MAC) or the ciphertext, all in the
    /// packet by then (encrypt-then-MAC). CBC copies the data in first.
    func sealPacket(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError) {
        let body = try gap(in: packet, at: offset, count: data.count)
        guard isStream, let source = data.baseAddress else {
            return try sealCopying(packet, filling: offset, from: data, sequenceNumber: sequenceNumber)
        }
        let base = packet.baseAddress!
        let end = offset + data.count
        let tag = (base + 4 + body).assumingMemoryBound(to: UInt8.self)
        if encryptThenMAC {
            guard body % blockSize == 0 else { throw CryptoError(.invalidLength, "packet not block aligned") }
            try cipher.update(base + 4, base + 4, count: offset - 4)
            try cipher.update(base + offset, source, count: data.count)
            try cipher.update(base + end, base + end, count: 4 + body - end)
            try mac.authenticate(
                sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(start: base, count: 4 + body), into: computed)
        } else {
            guard (4 + body) % blockSize == 0 else { throw CryptoError(.invalidLength, "packet not block aligned") }
            try mac.authenticate(
                sequenceNumber: sequenceNumber, UnsafeRawBufferPointer(start: base, count: offset), data,
                UnsafeRawBufferPointer(start: base + end, count: 4 + body - end), into: computed)
            try cipher.update(base, base, count: offset)
            try cipher.update(base + offset, source, count: data.count)
            try cipher.update(base + end, base + end, count: 4 + body - end)
        }
        tag.update(from: computed, count: tagLength)
    }
}
