import NIOCore
import SSHWire

/// How the packets of a `tun@openssh.com` channel are framed (OpenSSH PROTOCOL §2.3): each
/// CHANNEL_DATA message carries one packet. In point-to-point mode it is an IP packet after a
/// 4-byte address family, with OpenBSD's numbers (2 for IPv4, 24 for IPv6) whatever the host;
/// in Ethernet mode it is the frame alone. A device opened without packet information
/// (Linux's `IFF_NO_PI`) reads and writes the bare packet.
public enum TunnelFraming {
    /// The address family of an IPv4 packet on the wire (`SSH_TUN_AF_INET`).
    public static let inet: UInt32 = 2
    /// The address family of an IPv6 packet on the wire (`SSH_TUN_AF_INET6`).
    public static let inet6: UInt32 = 24

    /// The message that carries `packet`, read from a device in `mode`; nil for an empty read.
    /// The family follows the IP version in the packet's first four bits, as OpenSSH sets it.
    public static func message(carrying packet: ByteBuffer, mode: TunnelMode) -> ByteBuffer? {
        guard let first = packet.getInteger(at: packet.readerIndex, as: UInt8.self) else { return nil }
        guard mode == .pointToPoint else { return packet }
        var message = ByteBuffer()
        message.reserveCapacity(packet.readableBytes + 4)
        message.writeInteger(first >> 4 == 6 ? inet6 : inet)
        message.writeImmutableBuffer(packet)
        return message
    }

    /// The packet a message carries, to be written to a device in `mode`; nil when there is none
    /// (a point-to-point message shorter than its family, or an empty one), which is dropped.
    public static func packet(in message: ByteBuffer, mode: TunnelMode) -> ByteBuffer? {
        guard mode == .pointToPoint else { return message.readableBytes > 0 ? message : nil }
        guard message.readableBytes > 4 else { return nil }
        return message.getSlice(at: message.readerIndex + 4, length: message.readableBytes - 4)
    }
}
