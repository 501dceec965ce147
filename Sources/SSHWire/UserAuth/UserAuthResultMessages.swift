import NIOCore

/// `SSH_MSG_USERAUTH_FAILURE` (RFC 4252 §5.1).
public struct UserAuthFailureMessage: SSHMessage {
    public static let messageNumber: UInt8 = 51

    /// The methods that may productively continue.
    public var authentications: [String]
    /// Whether the request succeeded but more authentication is required.
    public var partialSuccess: Bool

    public init(authentications: [String], partialSuccess: Bool) {
        self.authentications = authentications
        self.partialSuccess = partialSuccess
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        authentications = try payload.readSSHNameList()
        partialSuccess = try payload.readSSHBoolean()
        try payload.expectSSHEnd(of: "USERAUTH_FAILURE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHNameList(authentications)
        buffer.writeSSHBoolean(partialSuccess)
    }
}

/// `SSH_MSG_USERAUTH_SUCCESS` (RFC 4252 §5.1).
public struct UserAuthSuccessMessage: SSHMessage {
    public static let messageNumber: UInt8 = 52

    public init() {}

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try payload.expectSSHEnd(of: "USERAUTH_SUCCESS")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
    }
}

/// `SSH_MSG_USERAUTH_BANNER` (RFC 4252 §5.4).
public struct UserAuthBannerMessage: TextWithLanguageMessage {
    public static let messageNumber: UInt8 = 53

    /// The banner text (UTF-8); show it with control characters filtered.
    public var message: String
    /// The language of ``message`` (RFC 3066).
    public var languageTag: String

    public init(message: String, languageTag: String = "") {
        self.message = message
        self.languageTag = languageTag
    }
}
