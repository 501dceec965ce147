import NIOCore

extension SSHPacket {
    /// Checks a received `packet_length` before anything is reserved for the packet (RFC 4253 §6, §6.1):
    /// it must lie in ``minimumPacketLength``…``maximumPacketLength`` and keep the packet aligned.
    public static func validatePacketLength(_ packetLength: UInt32, alignment: PacketAlignment) throws(WireError) {
        guard packetLength >= minimumPacketLength, packetLength <= maximumPacketLength else {
            throw WireError(.invalidPacket, "packet_length \(packetLength) outside 5…\(maximumPacketLength)")
        }
        let aligned = Int(packetLength) + (alignment.excludesLengthField ? 0 : 4)
        guard aligned % alignment.effectiveBlockSize == 0 else {
            throw WireError(
                .invalidPacket, "packet_length \(packetLength) not aligned to \(alignment.effectiveBlockSize)")
        }
    }

    /// Validates one whole decrypted packet, from `packet_length` to the end of the padding, and
    /// returns the payload as a slice (RFC 4253 §6).
    ///
    /// `packet` must hold exactly `4 + packet_length` readable bytes. Padding must be 4…255 bytes and
    /// shorter than `packet_length`; anything else throws `.invalidPacket`.
    public static func payload(ofPacket packet: ByteBuffer, alignment: PacketAlignment) throws(WireError)
        -> ByteBuffer
    {
        var packet = packet
        let packetLength = try packet.readSSHUInt32()
        try validatePacketLength(packetLength, alignment: alignment)
        guard packet.readableBytes == Int(packetLength) else {
            throw WireError(.invalidPacket, "packet_length \(packetLength) with \(packet.readableBytes) bytes")
        }
        let padding = Int(try packet.readSSHByte())
        guard padding >= minimumPaddingLength, padding < Int(packetLength) else {
            throw WireError(.invalidPacket, "padding_length \(padding) with packet_length \(packetLength)")
        }
        let payloadLength = Int(packetLength) - 1 - padding
        guard let payload = packet.readSlice(length: payloadLength) else {
            throw WireError(.invalidPacket, "payload of \(payloadLength) bytes")
        }
        return payload
    }
}
