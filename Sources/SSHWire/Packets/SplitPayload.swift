import NIOCore

/// A payload handed to the transport in two parts: a message's head and its data (RFC 4254 §5.2
/// CHANNEL_DATA). The transport writes the head into the packet and encrypts the data from where
/// it lies into the packet, so the data is never copied into a message of its own.
public struct SplitPayload: Sendable {
    /// The payload's first bytes: the message number and the fields before the data.
    public var head: ByteBuffer
    /// The rest of the payload.
    public var body: ByteBuffer

    /// The payload `head` followed by `body`.
    public init(head: ByteBuffer, body: ByteBuffer) {
        self.head = head
        self.body = body
    }

    /// The payload in one buffer (a copy, unless the body is empty).
    public func joined() -> ByteBuffer {
        guard body.readableBytes > 0 else { return head }
        var whole = ByteBuffer()
        whole.reserveCapacity(head.readableBytes + body.readableBytes)
        whole.writeImmutableBuffer(head)
        whole.writeImmutableBuffer(body)
        return whole
    }
}
