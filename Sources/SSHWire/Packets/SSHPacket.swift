import NIOCore

/// The binary packet of RFC 4253 §6: `uint32 packet_length, byte padding_length, payload, padding`.
///
/// A namespace for the framing rules and limits; encryption and MAC live above this layer.
public enum SSHPacket {
    /// The largest `packet_length` accepted (256 KiB, as OpenSSH's packet.c; RFC 4253 §6.1 asks for ≥ 35,000).
    public static let maximumPacketLength = 262_144
    /// The smallest `packet_length`: the padding-length byte and four bytes of padding.
    public static let minimumPacketLength = 5
    /// The least padding (RFC 4253 §6).
    public static let minimumPaddingLength = 4
    /// The most padding, the largest value of the padding-length byte (RFC 4253 §6).
    public static let maximumPaddingLength = 255
    /// The least alignment, whatever the cipher (RFC 4253 §6).
    public static let minimumBlockSize = 8
    /// The largest block size this framing supports: padding must stay ≤ 255.
    public static let maximumBlockSize = 64
    /// The bytes before the payload: `packet_length` and `padding_length`.
    public static let headerLength = 5
    /// The largest payload that fits in ``maximumPacketLength`` with minimal padding.
    public static let maximumPayloadLength = maximumPacketLength - 1 - minimumPaddingLength

    /// The padding for a payload of `payloadLength` bytes under `alignment` (RFC 4253 §6):
    /// at least 4 bytes, and the aligned part of the packet a multiple of the effective block size.
    ///
    /// Throws `.invalidValue` for a block size above ``maximumBlockSize`` and `.lengthTooLarge` for a
    /// payload whose packet would pass ``maximumPacketLength``.
    public static func paddingLength(forPayloadLength payloadLength: Int, alignment: PacketAlignment)
        throws(WireError) -> Int
    {
        let block = alignment.effectiveBlockSize
        guard block <= maximumBlockSize else {
            throw WireError(.invalidValue, "block size \(alignment.blockSize) above \(maximumBlockSize)")
        }
        guard payloadLength >= 0, payloadLength <= maximumPayloadLength else {
            throw WireError(.lengthTooLarge, "payload of \(payloadLength) bytes")
        }
        let aligned = (alignment.excludesLengthField ? 1 : headerLength) + payloadLength
        var padding = block - aligned % block
        if padding < minimumPaddingLength { padding += block }
        guard 1 + payloadLength + padding <= maximumPacketLength else {
            throw WireError(.lengthTooLarge, "payload of \(payloadLength) bytes")
        }
        return padding
    }
}
