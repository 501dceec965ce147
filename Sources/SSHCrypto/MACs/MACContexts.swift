import COpenSSL

/// A keyed HMAC (RFC 2104) that is re-initialised for each packet without re-deriving
/// the key schedule: `EVP_MAC_init` with no key reuses the precomputed pads.
final class HMACContext {
    private let context: OpaquePointer
    let outputLength: Int

    init(digest: DigestAlgorithm, key: UnsafeRawBufferPointer) throws(CryptoError) {
        context = try check(EVP_MAC_CTX_new(try AlgorithmCache.hmac.require("HMAC")), "EVP_MAC_CTX_new")
        outputLength = digest.outputLength
        var name = Array(digest.rawValue.utf8CString)
        let status = name.withUnsafeMutableBufferPointer { namePointer in
            var params = [
                paramiko_param_utf8(OSSL_MAC_PARAM_DIGEST, namePointer.baseAddress),
                paramiko_param_end(),
            ]
            return EVP_MAC_init(
                context, key.baseAddress?.assumingMemoryBound(to: UInt8.self), key.count, &params)
        }
        try check(status, "EVP_MAC_init")
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// Computes HMAC(key, [uint32(sequenceNumber)] || data) into `output` (the full digest length).
    @inline(__always)
    func authenticate(sequenceNumber: UInt32?, _ data: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>)
        throws(CryptoError)
    {
        try begin(sequenceNumber: sequenceNumber)
        try update(data)
        try finish(into: output)
    }

    /// Computes HMAC(key, uint32(sequenceNumber) || first || second || third): a message that lies
    /// in three places.
    @inline(__always)
    func authenticate(
        sequenceNumber: UInt32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
        _ third: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>
    ) throws(CryptoError) {
        try begin(sequenceNumber: sequenceNumber)
        try update(first)
        try update(second)
        try update(third)
        try finish(into: output)
    }

    @inline(__always)
    private func begin(sequenceNumber: UInt32?) throws(CryptoError) {
        try check(EVP_MAC_init(context, nil, 0, nil), "EVP_MAC_init")
        if let sequenceNumber {
            var sequence = sequenceNumber.bigEndian
            let status = withUnsafeBytes(of: &sequence) { seq in
                EVP_MAC_update(context, seq.baseAddress?.assumingMemoryBound(to: UInt8.self), 4)
            }
            try check(status, "EVP_MAC_update")
        }
    }

    @inline(__always)
    private func update(_ data: UnsafeRawBufferPointer) throws(CryptoError) {
        guard data.count > 0 else { return }
        try check(
            EVP_MAC_update(context, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count),
            "EVP_MAC_update")
    }

    @inline(__always)
    private func finish(into output: UnsafeMutablePointer<UInt8>) throws(CryptoError) {
        var written = 0
        try check(EVP_MAC_final(context, output, &written, outputLength), "EVP_MAC_final")
    }
}

/// Poly1305 (RFC 8439 §2.5) with a fresh one-time key per message.
final class Poly1305Context {
    private let context: OpaquePointer
    static let tagLength = 16
    static let keyLength = 32

    init() throws(CryptoError) {
        context = try check(EVP_MAC_CTX_new(try AlgorithmCache.poly1305.require("POLY1305")), "EVP_MAC_CTX_new")
    }

    deinit { EVP_MAC_CTX_free(context) }

    /// The 16-byte tag of `data` under the one-time `key`.
    @inline(__always)
    func tag(key: UnsafePointer<UInt8>, _ data: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>)
        throws(CryptoError)
    {
        try check(EVP_MAC_init(context, key, Self.keyLength, nil), "EVP_MAC_init")
        try check(
            EVP_MAC_update(context, data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count),
            "EVP_MAC_update")
        var written = 0
        try check(EVP_MAC_final(context, output, &written, Self.tagLength), "EVP_MAC_final")
    }
}
