import NIOCore

/// A dispatch enum over one range of message numbers (RFC 4250 §4.1.2): ``TransportMessage``,
/// ``KeyExchangeMessage``, ``UserAuthMessage``, ``ConnectionMessage``.
public protocol SSHMessageRange: Hashable, Sendable {
    /// The typed message inside, or nil when the payload is kept raw.
    var message: (any SSHMessage)? { get }
    /// The whole payload, number byte included, when the message is kept raw (unknown numbers,
    /// or method-specific numbers left for a later layer).
    var rawPayload: ByteBuffer? { get }
}

extension SSHMessageRange {
    /// The message number.
    public var messageNumber: UInt8 {
        if let message { return type(of: message).messageNumber }
        return rawPayload.flatMap { $0.getInteger(at: $0.readerIndex, as: UInt8.self) } ?? 0
    }

    /// Writes the whole payload, number byte included.
    public func encode(into buffer: inout ByteBuffer) {
        if let message {
            message.encode(into: &buffer)
        } else if let rawPayload {
            buffer.writeImmutableBuffer(rawPayload)
        }
    }
}
