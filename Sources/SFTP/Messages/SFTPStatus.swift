import NIOCore
import SSHWire

/// The body of `SSH_FXP_STATUS` (draft-ietf-secsh-filexfer-02 §7): a code, a message and a language tag.
public struct SFTPStatus: Hashable, Sendable {
    /// The status code.
    public var code: SFTPStatusCode
    /// A human-readable message (UTF-8).
    public var message: String
    /// The language of ``message`` (RFC 1766), usually empty.
    public var languageTag: String

    /// Creates a status.
    public init(code: SFTPStatusCode, message: String = "", languageTag: String = "") {
        self.code = code
        self.message = message
        self.languageTag = languageTag
    }

    /// `SSH_FX_OK` with OpenSSH's message "Success".
    public static let success = SFTPStatus(code: .ok, message: "Success")

    init(decoding buffer: inout ByteBuffer) throws(WireError) {
        code = SFTPStatusCode(rawValue: try buffer.readSSHUInt32())
        message = try buffer.readSSHUTF8String()
        languageTag = try buffer.readSSHUTF8String()
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHUInt32(code.rawValue)
        buffer.writeSSHString(message)
        buffer.writeSSHString(languageTag)
    }
}
