import NIOCore

/// One SSH message with a fixed message number (RFC 4250 §4.1), encoded and decoded as a value.
///
/// `init(decoding:)` receives the payload *after* the message-number byte and must consume it exactly:
/// trailing bytes throw `.trailingBytes`, except where the RFC lets a message carry type-specific data.
/// `encode(into:)` writes the message-number byte first, then the fields.
public protocol SSHMessage: Sendable, Hashable {
    /// The message number (RFC 4250 §4.1). Numbers 30–49 and 60–79 are method-specific and shared.
    static var messageNumber: UInt8 { get }

    /// Decodes the fields that follow the message-number byte, consuming `payload` exactly.
    init(decoding payload: inout ByteBuffer) throws(WireError)

    /// Writes the message-number byte and the fields.
    func encode(into buffer: inout ByteBuffer)
}

extension SSHMessage {
    /// Decodes a whole payload, message-number byte included; a different number throws `.unexpectedMessage`.
    public init(decodingPayload payload: ByteBuffer) throws(WireError) {
        var payload = payload
        let number = try payload.readSSHByte()
        guard number == Self.messageNumber else {
            throw WireError(.unexpectedMessage, "expected message \(Self.messageNumber), got \(number)")
        }
        try self.init(decoding: &payload)
    }

    /// The encoded payload, message-number byte included.
    public func encodedPayload(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 64)
        encode(into: &buffer)
        return buffer
    }
}
