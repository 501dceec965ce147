import NIOCore

/// `SSH_MSG_CHANNEL_REQUEST` (RFC 4254 §5.4).
public struct ChannelRequestMessage: SSHMessage {
    public static let messageNumber: UInt8 = 98

    /// The receiver's channel number.
    public var recipientChannel: UInt32
    /// The request and its data.
    public var request: ChannelRequestType
    /// Whether the sender expects CHANNEL_SUCCESS or CHANNEL_FAILURE.
    public var wantReply: Bool

    public init(recipientChannel: UInt32, request: ChannelRequestType, wantReply: Bool) {
        self.recipientChannel = recipientChannel
        self.request = request
        self.wantReply = wantReply
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        let name = try payload.readSSHUTF8String()
        wantReply = try payload.readSSHBoolean()
        request = try ChannelRequestType.decode(name: name, from: &payload)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHString(request.name)
        buffer.writeSSHBoolean(wantReply)
        request.encodeData(into: &buffer)
    }
}
