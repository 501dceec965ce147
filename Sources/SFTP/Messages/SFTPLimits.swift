import NIOCore
import SSHWire

/// The reply to `limits@openssh.com` (OpenSSH PROTOCOL §4.8): four uint64 limits, 0 meaning "no limit".
public struct SFTPLimits: Hashable, Sendable {
    /// The longest packet the server accepts, length field excluded.
    public var maximumPacketLength: UInt64
    /// The most bytes one READ returns.
    public var maximumReadLength: UInt64
    /// The most bytes one WRITE may carry.
    public var maximumWriteLength: UInt64
    /// The most handles open at once.
    public var maximumOpenHandles: UInt64

    /// Creates limits.
    public init(
        maximumPacketLength: UInt64, maximumReadLength: UInt64, maximumWriteLength: UInt64,
        maximumOpenHandles: UInt64
    ) {
        self.maximumPacketLength = maximumPacketLength
        self.maximumReadLength = maximumReadLength
        self.maximumWriteLength = maximumWriteLength
        self.maximumOpenHandles = maximumOpenHandles
    }

    /// Decodes the data of an EXTENDED_REPLY, consuming it exactly.
    public init(decoding reply: ByteBuffer) throws(WireError) {
        var buffer = reply
        maximumPacketLength = try buffer.readSSHUInt64()
        maximumReadLength = try buffer.readSSHUInt64()
        maximumWriteLength = try buffer.readSSHUInt64()
        maximumOpenHandles = try buffer.readSSHUInt64()
        try buffer.expectSSHEnd(of: "limits@openssh.com reply")
    }

    /// The data of an EXTENDED_REPLY.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        for value in [maximumPacketLength, maximumReadLength, maximumWriteLength, maximumOpenHandles] {
            buffer.writeSSHUInt64(value)
        }
        return buffer
    }
}
