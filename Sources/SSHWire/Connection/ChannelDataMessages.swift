import NIOCore

/// `SSH_MSG_CHANNEL_WINDOW_ADJUST` (RFC 4254 §5.2).
public struct ChannelWindowAdjustMessage: SSHMessage {
    public static let messageNumber: UInt8 = 93

    /// The receiver's channel number.
    public var recipientChannel: UInt32
    /// How many more bytes the sender may send; the window must not pass 2^32−1 (RFC 4254 §5.2).
    public var bytesToAdd: UInt32

    public init(recipientChannel: UInt32, bytesToAdd: UInt32) {
        self.recipientChannel = recipientChannel
        self.bytesToAdd = bytesToAdd
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        bytesToAdd = try payload.readSSHUInt32()
        try payload.expectSSHEnd(of: "CHANNEL_WINDOW_ADJUST")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHUInt32(bytesToAdd)
    }
}

/// `SSH_MSG_CHANNEL_DATA` (RFC 4254 §5.2). ``data`` is a slice of the payload; nothing is copied.
public struct ChannelDataMessage: SSHMessage {
    public static let messageNumber: UInt8 = 94

    /// The receiver's channel number.
    public var recipientChannel: UInt32
    /// The data.
    public var data: ByteBuffer

    public init(recipientChannel: UInt32, data: ByteBuffer) {
        self.recipientChannel = recipientChannel
        self.data = data
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        data = try payload.readSSHString()
        try payload.expectSSHEnd(of: "CHANNEL_DATA")
    }

    public func encode(into buffer: inout ByteBuffer) {
        encodeHead(into: &buffer)
        buffer.writeImmutableBuffer(data)
    }

    /// The message up to the data's bytes: number, channel and the data's length. Followed by
    /// ``data`` it is the whole message, so a sender can hand the data on without copying it.
    public func encodeHead(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHUInt32(UInt32(data.readableBytes))
    }
}

/// `SSH_MSG_CHANNEL_EXTENDED_DATA` (RFC 4254 §5.2). ``data`` is a slice of the payload.
public struct ChannelExtendedDataMessage: SSHMessage {
    public static let messageNumber: UInt8 = 95

    /// `SSH_EXTENDED_DATA_STDERR` (RFC 4254 §5.2).
    public static let stderr: UInt32 = 1

    /// The receiver's channel number.
    public var recipientChannel: UInt32
    /// The data type code; 1 is stderr.
    public var dataTypeCode: UInt32
    /// The data.
    public var data: ByteBuffer

    public init(recipientChannel: UInt32, dataTypeCode: UInt32 = Self.stderr, data: ByteBuffer) {
        self.recipientChannel = recipientChannel
        self.dataTypeCode = dataTypeCode
        self.data = data
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        dataTypeCode = try payload.readSSHUInt32()
        data = try payload.readSSHString()
        try payload.expectSSHEnd(of: "CHANNEL_EXTENDED_DATA")
    }

    public func encode(into buffer: inout ByteBuffer) {
        encodeHead(into: &buffer)
        buffer.writeImmutableBuffer(data)
    }

    /// The message up to the data's bytes: number, channel, type code and the data's length.
    /// Followed by ``data`` it is the whole message.
    public func encodeHead(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHUInt32(dataTypeCode)
        buffer.writeSSHUInt32(UInt32(data.readableBytes))
    }
}

/// A channel message whose only field is the recipient channel (RFC 4254 §5.3, §5.4).
public protocol ChannelNumberOnlyMessage: SSHMessage {
    /// The receiver's channel number.
    var recipientChannel: UInt32 { get }
    init(recipientChannel: UInt32)
}

extension ChannelNumberOnlyMessage {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        self.init(recipientChannel: try payload.readSSHUInt32())
        try payload.expectSSHEnd(of: "channel message \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
    }
}

/// `SSH_MSG_CHANNEL_EOF` (RFC 4254 §5.3).
public struct ChannelEOFMessage: ChannelNumberOnlyMessage {
    public static let messageNumber: UInt8 = 96
    public var recipientChannel: UInt32
    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_CLOSE` (RFC 4254 §5.3).
public struct ChannelCloseMessage: ChannelNumberOnlyMessage {
    public static let messageNumber: UInt8 = 97
    public var recipientChannel: UInt32
    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_SUCCESS` (RFC 4254 §5.4).
public struct ChannelSuccessMessage: ChannelNumberOnlyMessage {
    public static let messageNumber: UInt8 = 99
    public var recipientChannel: UInt32
    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}

/// `SSH_MSG_CHANNEL_FAILURE` (RFC 4254 §5.4).
public struct ChannelFailureMessage: ChannelNumberOnlyMessage {
    public static let messageNumber: UInt8 = 100
    public var recipientChannel: UInt32
    public init(recipientChannel: UInt32) { self.recipientChannel = recipientChannel }
}
