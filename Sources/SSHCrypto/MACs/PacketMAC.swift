/// The MAC of one direction of the binary packet protocol, keyed once, in the two shapes SSH uses:
/// - HMAC (RFC 4253 §6.4): the MAC of `uint32 sequence_number || data`;
/// - UMAC (OpenSSH's `umac-64@openssh.com` and `umac-128@openssh.com`, RFC 4418): the MAC of
///   `data` alone, with the sequence number as the nonce, 8 bytes big-endian.
enum PacketMAC {
    case hmac(HMACContext)
    case umac(UMACContext)

    /// Keys the MAC `algorithm` names with `key` (``MACAlgorithm/keyLength`` bytes).
    init(_ algorithm: MACAlgorithm, key: UnsafeRawBufferPointer) throws(CryptoError) {
        switch algorithm.kind {
        case .hmac(let digest): self = .hmac(try HMACContext(digest: digest, key: key))
        case .umac: self = .umac(try UMACContext(key: key, outputLength: algorithm.outputLength))
        }
    }

    /// Computes the MAC of `data` under `sequenceNumber` into `output` (64 bytes of room).
    @inline(__always)
    func authenticate(sequenceNumber: UInt32, _ data: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>)
        throws(CryptoError)
    {
        switch self {
        case .hmac(let context):
            try context.authenticate(sequenceNumber: sequenceNumber, data, into: output)
        case .umac(let context):
            context.reset()
            context.update(data)
            try Self.finish(context, sequenceNumber: sequenceNumber, into: output)
        }
    }

    /// Computes the MAC of `first || second || third`, a message that lies in three places.
    @inline(__always)
    func authenticate(
        sequenceNumber: UInt32, _ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer,
        _ third: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>
    ) throws(CryptoError) {
        switch self {
        case .hmac(let context):
            try context.authenticate(sequenceNumber: sequenceNumber, first, second, third, into: output)
        case .umac(let context):
            context.reset()
            context.update(first)
            context.update(second)
            context.update(third)
            try Self.finish(context, sequenceNumber: sequenceNumber, into: output)
        }
    }

    /// Ends a UMAC with the sequence number as a 64-bit big-endian nonce, as OpenSSH's mac.c does.
    @inline(__always)
    private static func finish(_ context: UMACContext, sequenceNumber: UInt32, into output: UnsafeMutablePointer<UInt8>)
        throws(CryptoError)
    {
        var nonce = UInt64(sequenceNumber).bigEndian
        try withUnsafeBytes(of: &nonce) { bytes throws(CryptoError) in
            try context.finish(nonce: bytes, into: output)
        }
    }
}
