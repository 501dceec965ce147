import NIOCore

/// `SSH_MSG_USERAUTH_PK_OK` (RFC 4252 §7): the key the client asked about is acceptable.
public struct UserAuthPKOKMessage: SSHMessage {
    public static let messageNumber: UInt8 = 60

    /// The algorithm name from the request.
    public var algorithm: String
    /// The key blob from the request.
    public var publicKey: ByteBuffer

    public init(algorithm: String, publicKey: ByteBuffer) {
        self.algorithm = algorithm
        self.publicKey = publicKey
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        algorithm = try payload.readSSHUTF8String()
        publicKey = try payload.readSSHString()
        try payload.expectSSHEnd(of: "USERAUTH_PK_OK")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(algorithm)
        buffer.writeSSHString(publicKey)
    }
}

/// `SSH_MSG_USERAUTH_PASSWD_CHANGEREQ` (RFC 4252 §8): the password has expired.
public struct UserAuthPasswordChangeRequestMessage: TextWithLanguageMessage {
    public static let messageNumber: UInt8 = 60

    /// The prompt (UTF-8).
    public var message: String
    /// The language of the prompt.
    public var languageTag: String

    public init(message: String, languageTag: String = "") {
        self.message = message
        self.languageTag = languageTag
    }
}
