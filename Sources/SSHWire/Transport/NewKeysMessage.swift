import NIOCore

/// `SSH_MSG_NEWKEYS` (RFC 4253 §7.3): the new keys are in use from the next packet.
public struct NewKeysMessage: SSHMessage {
    public static let messageNumber: UInt8 = 21

    public init() {}

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try payload.expectSSHEnd(of: "NEWKEYS")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
    }
}
