import NIOCore

/// `SSH_MSG_UNIMPLEMENTED` (RFC 4253 §11.4): the answer to a message number the receiver does not know.
public struct UnimplementedMessage: SSHMessage {
    public static let messageNumber: UInt8 = 3

    /// The packet sequence number of the rejected message.
    public var sequenceNumber: UInt32

    public init(sequenceNumber: UInt32) { self.sequenceNumber = sequenceNumber }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        sequenceNumber = try payload.readSSHUInt32()
        try payload.expectSSHEnd(of: "UNIMPLEMENTED")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(sequenceNumber)
    }
}
