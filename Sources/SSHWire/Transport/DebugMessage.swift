import NIOCore

/// `SSH_MSG_DEBUG` (RFC 4253 §11.3).
public struct DebugMessage: SSHMessage {
    public static let messageNumber: UInt8 = 4

    /// Whether the receiver should show the message to the user even when not debugging.
    public var alwaysDisplay: Bool
    /// The text (UTF-8).
    public var message: String
    /// The language of ``message`` (RFC 3066).
    public var languageTag: String

    public init(alwaysDisplay: Bool, message: String, languageTag: String = "") {
        self.alwaysDisplay = alwaysDisplay
        self.message = message
        self.languageTag = languageTag
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        alwaysDisplay = try payload.readSSHBoolean()
        message = try payload.readSSHUTF8String()
        languageTag = try payload.readSSHUTF8String()
        try payload.expectSSHEnd(of: "DEBUG")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHBoolean(alwaysDisplay)
        buffer.writeSSHString(message)
        buffer.writeSSHString(languageTag)
    }
}
