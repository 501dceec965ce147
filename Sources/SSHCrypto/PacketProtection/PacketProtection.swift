/// The encryption and integrity protection of one direction of the binary packet
/// protocol (RFC 4253 §6): a cipher and, for non-AEAD ciphers, a MAC, working in place.
///
/// A packet on the wire is `uint32 packet_length || packet_length bytes || tag`, where the
/// tag is the MAC or AEAD tag (``tagLength`` bytes). The transport uses an instance as:
/// 1. when ``lengthPeekSize`` bytes have arrived, ``decryptLength(_:sequenceNumber:)``
///    (exactly once per packet: for encrypt-and-MAC modes it decrypts the first block in place);
/// 2. when `4 + packet_length + tagLength` bytes have arrived, ``openPacket(_:sequenceNumber:)``,
///    after which the first `4 + packet_length` bytes are plaintext.
/// To send, it lays out the plaintext packet with `tagLength` spare bytes after it and calls
/// ``sealPacket(_:sequenceNumber:)``.
public protocol PacketProtection: AnyObject {
    /// The cipher's SSH name.
    var cipherName: String { get }
    /// The MAC's SSH name, or nil for AEAD ciphers that authenticate by themselves.
    var macName: String? { get }
    /// The block size that padding aligns to (at least 8).
    var blockSize: Int { get }
    /// True when the 4-byte length is sent unencrypted or encrypted separately, and so is left out
    /// of the block alignment (AEAD ciphers and encrypt-then-MAC, as OpenSSH does).
    var lengthExcludedFromAlignment: Bool { get }
    /// Bytes appended to each packet: the MAC or AEAD tag.
    var tagLength: Int { get }
    /// Bytes needed before the packet length can be read.
    var lengthPeekSize: Int { get }

    /// Returns `packet_length` from the first ``lengthPeekSize`` bytes of a packet.
    func decryptLength(_ bytes: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError) -> UInt32

    /// Verifies and decrypts a whole packet (`4 + packet_length + tagLength` bytes) in place.
    /// Throws `.authenticationFailed` when the MAC or tag does not match.
    func openPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError)

    /// Encrypts a plaintext packet in place and writes its tag into the last ``tagLength`` bytes.
    func sealPacket(_ packet: UnsafeMutableRawBufferPointer, sequenceNumber: UInt32) throws(CryptoError)

    /// Seals a packet as ``sealPacket(_:sequenceNumber:)`` does, except that the plaintext of
    /// `packet[offset ..< offset + data.count]` is not in `packet` but in `data`: it is read from
    /// there and its ciphertext written into place, so a channel's data never has to be copied into
    /// the packet before it is encrypted. The gap lies within the payload (from byte 5 on).
    func sealPacket(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError)
}

/// Whether a protection instance encrypts (outbound) or decrypts (inbound).
public enum PacketDirection: Sendable, Hashable {
    case outbound
    case inbound
}

extension PacketProtection {
    /// Copies `data` into the gap, then seals in place: for ciphers that cannot read part of their
    /// input from elsewhere (CBC, whose output lags its input by a partial block).
    public func sealPacket(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError) {
        _ = try gap(in: packet, at: offset, count: data.count)
        try sealCopying(packet, filling: offset, from: data, sequenceNumber: sequenceNumber)
    }

    /// Copies `data` into the gap (already checked) and seals the whole packet in place.
    func sealCopying(
        _ packet: UnsafeMutableRawBufferPointer, filling offset: Int, from data: UnsafeRawBufferPointer,
        sequenceNumber: UInt32
    ) throws(CryptoError) {
        UnsafeMutableRawBufferPointer(rebasing: packet[offset..<offset + data.count]).copyMemory(from: data)
        try sealPacket(packet, sequenceNumber: sequenceNumber)
    }

    /// Checks that a gap of `count` bytes at `offset` lies within the packet's payload (after the
    /// length and padding-length fields, before the tag); returns the body length.
    @inline(__always)
    func gap(in packet: UnsafeMutableRawBufferPointer, at offset: Int, count: Int) throws(CryptoError) -> Int {
        let body = try bodyLength(packet)
        guard offset >= 5, count >= 0, offset + count <= 4 + body else {
            throw CryptoError(.invalidLength, "a gap of \(count) bytes at \(offset) is outside the packet's payload")
        }
        return body
    }

    /// Reads a big-endian `uint32` from the start of `bytes`.
    @inline(__always)
    static func readLength(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
    }

    /// Checks a packet buffer is large enough to hold `4 + packet_length + tag` bytes.
    @inline(__always)
    func bodyLength(_ packet: UnsafeMutableRawBufferPointer) throws(CryptoError) -> Int {
        let body = packet.count - 4 - tagLength
        guard body >= 0 else {
            throw CryptoError(.invalidLength, "packet of \(packet.count) bytes is shorter than its framing")
        }
        return body
    }
}
