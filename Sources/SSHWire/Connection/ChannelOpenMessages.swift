import NIOCore

/// `SSH_MSG_CHANNEL_OPEN` (RFC 4254 §5.1).
public struct ChannelOpenMessage: SSHMessage {
    public static let messageNumber: UInt8 = 90

    /// The channel type and its type-specific data.
    public var channelType: ChannelType
    /// The sender's number for the channel.
    public var senderChannel: UInt32
    /// How many bytes the sender will accept before a WINDOW_ADJUST.
    public var initialWindowSize: UInt32
    /// The largest data packet the sender will accept.
    public var maximumPacketSize: UInt32

    public init(channelType: ChannelType, senderChannel: UInt32, initialWindowSize: UInt32, maximumPacketSize: UInt32) {
        self.channelType = channelType
        self.senderChannel = senderChannel
        self.initialWindowSize = initialWindowSize
        self.maximumPacketSize = maximumPacketSize
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let name = try payload.readSSHUTF8String()
        senderChannel = try payload.readSSHUInt32()
        initialWindowSize = try payload.readSSHUInt32()
        maximumPacketSize = try payload.readSSHUInt32()
        channelType = try ChannelType.decode(name: name, from: &payload)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(channelType.name)
        buffer.writeSSHUInt32(senderChannel)
        buffer.writeSSHUInt32(initialWindowSize)
        buffer.writeSSHUInt32(maximumPacketSize)
        channelType.encodeData(into: &buffer)
    }
}

/// `SSH_MSG_CHANNEL_OPEN_CONFIRMATION` (RFC 4254 §5.1).
public struct ChannelOpenConfirmationMessage: SSHMessage {
    public static let messageNumber: UInt8 = 91

    /// The channel number the opener chose.
    public var recipientChannel: UInt32
    /// The confirmer's number for the channel.
    public var senderChannel: UInt32
    /// How many bytes the confirmer will accept before a WINDOW_ADJUST.
    public var initialWindowSize: UInt32
    /// The largest data packet the confirmer will accept.
    public var maximumPacketSize: UInt32
    /// Channel-type-specific data, kept raw (none for the types RFC 4254 defines).
    public var typeSpecificData: ByteBuffer

    public init(
        recipientChannel: UInt32, senderChannel: UInt32, initialWindowSize: UInt32, maximumPacketSize: UInt32,
        typeSpecificData: ByteBuffer = ByteBuffer()
    ) {
        self.recipientChannel = recipientChannel
        self.senderChannel = senderChannel
        self.initialWindowSize = initialWindowSize
        self.maximumPacketSize = maximumPacketSize
        self.typeSpecificData = typeSpecificData
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        senderChannel = try payload.readSSHUInt32()
        initialWindowSize = try payload.readSSHUInt32()
        maximumPacketSize = try payload.readSSHUInt32()
        typeSpecificData = payload.readSSHRemainingBytes()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHUInt32(senderChannel)
        buffer.writeSSHUInt32(initialWindowSize)
        buffer.writeSSHUInt32(maximumPacketSize)
        buffer.writeImmutableBuffer(typeSpecificData)
    }
}

/// A reason code of `SSH_MSG_CHANNEL_OPEN_FAILURE` (RFC 4254 §5.1). Unknown codes keep their raw value.
public struct ChannelOpenFailureReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let administrativelyProhibited = Self(rawValue: 1)
    public static let connectFailed = Self(rawValue: 2)
    public static let unknownChannelType = Self(rawValue: 3)
    public static let resourceShortage = Self(rawValue: 4)

    /// Every code RFC 4254 §5.1 defines.
    public static let allDefined: [Self] = (1...4).map { Self(rawValue: $0) }

    public var description: String {
        switch rawValue {
        case 1: "ADMINISTRATIVELY_PROHIBITED"
        case 2: "CONNECT_FAILED"
        case 3: "UNKNOWN_CHANNEL_TYPE"
        case 4: "RESOURCE_SHORTAGE"
        default: "\(rawValue)"
        }
    }
}

/// `SSH_MSG_CHANNEL_OPEN_FAILURE` (RFC 4254 §5.1).
public struct ChannelOpenFailureMessage: SSHMessage {
    public static let messageNumber: UInt8 = 92

    /// The channel number the opener chose.
    public var recipientChannel: UInt32
    /// Why the channel was refused.
    public var reason: ChannelOpenFailureReason
    /// Human-readable text (UTF-8).
    public var description: String
    /// The language of ``description`` (RFC 3066).
    public var languageTag: String

    public init(
        recipientChannel: UInt32, reason: ChannelOpenFailureReason, description: String, languageTag: String = ""
    ) {
        self.recipientChannel = recipientChannel
        self.reason = reason
        self.description = description
        self.languageTag = languageTag
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        recipientChannel = try payload.readSSHUInt32()
        reason = ChannelOpenFailureReason(rawValue: try payload.readSSHUInt32())
        description = try payload.readSSHUTF8String()
        languageTag = try payload.readSSHUTF8String()
        try payload.expectSSHEnd(of: "CHANNEL_OPEN_FAILURE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(recipientChannel)
        buffer.writeSSHUInt32(reason.rawValue)
        buffer.writeSSHString(description)
        buffer.writeSSHString(languageTag)
    }
}
