import NIOCore

/// `SSH_MSG_IGNORE` (RFC 4253 §11.2): data every party must ignore.
public struct IgnoreMessage: SSHMessage {
    public static let messageNumber: UInt8 = 2

    /// Arbitrary data.
    public var data: ByteBuffer

    public init(data: ByteBuffer = ByteBuffer()) { self.data = data }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        data = try payload.readSSHString()
        try payload.expectSSHEnd(of: "IGNORE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(data)
    }
}
