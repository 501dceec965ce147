import NIOCore

/// `SSH_MSG_USERAUTH_GSSAPI_RESPONSE` (RFC 4462 §3.3): the mechanism OID the server chose.
public struct UserAuthGSSAPIResponseMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 60
    /// The DER-encoded mechanism OID.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}

/// `SSH_MSG_USERAUTH_GSSAPI_TOKEN` (RFC 4462 §3.4): a context token, in either direction.
public struct UserAuthGSSAPITokenMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 61
    /// The token.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}

/// `SSH_MSG_USERAUTH_GSSAPI_EXCHANGE_COMPLETE` (RFC 4462 §3.5): the context is established, no integrity.
public struct UserAuthGSSAPIExchangeCompleteMessage: SSHMessage {
    public static let messageNumber: UInt8 = 63

    public init() {}

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try payload.expectSSHEnd(of: "USERAUTH_GSSAPI_EXCHANGE_COMPLETE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
    }
}

/// `SSH_MSG_USERAUTH_GSSAPI_ERROR` (RFC 4462 §3.8).
public struct UserAuthGSSAPIErrorMessage: GSSErrorShape {
    public static let messageNumber: UInt8 = 64
    public var majorStatus: UInt32
    public var minorStatus: UInt32
    public var message: String
    public var languageTag: String

    public init(majorStatus: UInt32, minorStatus: UInt32, message: String, languageTag: String = "") {
        self.majorStatus = majorStatus
        self.minorStatus = minorStatus
        self.message = message
        self.languageTag = languageTag
    }
}

/// `SSH_MSG_USERAUTH_GSSAPI_ERRTOK` (RFC 4462 §3.9): an error token from a failed context.
public struct UserAuthGSSAPIErrorTokenMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 65
    /// The error token.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}

/// `SSH_MSG_USERAUTH_GSSAPI_MIC` (RFC 4462 §3.5): the MIC over the session data.
public struct UserAuthGSSAPIMICMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 66
    /// The MIC token.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}
