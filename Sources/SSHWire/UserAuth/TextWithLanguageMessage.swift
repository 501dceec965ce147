import NIOCore

/// A message of one UTF-8 text and its language tag (RFC 4252 §5.4, §8).
public protocol TextWithLanguageMessage: SSHMessage {
    /// The text (UTF-8).
    var message: String { get }
    /// The language of ``message`` (RFC 3066).
    var languageTag: String { get }
    init(message: String, languageTag: String)
}

extension TextWithLanguageMessage {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let message = try payload.readSSHUTF8String()
        self.init(message: message, languageTag: try payload.readSSHUTF8String())
        try payload.expectSSHEnd(of: "message \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(message)
        buffer.writeSSHString(languageTag)
    }
}
