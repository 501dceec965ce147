import NIOCore

/// `SSH_MSG_DISCONNECT` (RFC 4253 §11.1).
public struct DisconnectMessage: SSHMessage {
    public static let messageNumber: UInt8 = 1

    /// Why the connection ends.
    public var reason: DisconnectReason
    /// Human-readable text (UTF-8).
    public var description: String
    /// The language of ``description`` (RFC 3066), usually empty.
    public var languageTag: String

    public init(reason: DisconnectReason, description: String, languageTag: String = "") {
        self.reason = reason
        self.description = description
        self.languageTag = languageTag
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        reason = DisconnectReason(rawValue: try payload.readSSHUInt32())
        description = try payload.readSSHUTF8String()
        languageTag = try payload.readSSHUTF8String()
        try payload.expectSSHEnd(of: "DISCONNECT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(reason.rawValue)
        buffer.writeSSHString(description)
        buffer.writeSSHString(languageTag)
    }
}
