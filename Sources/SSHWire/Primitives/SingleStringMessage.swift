import NIOCore

/// A message whose only field is one `string` (RFC 4251 §5): tokens, MICs, OIDs, host keys.
public protocol SingleStringMessage: SSHMessage {
    var value: ByteBuffer { get }
    init(value: ByteBuffer)
}

extension SingleStringMessage {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        self.init(value: try payload.readSSHString())
        try payload.expectSSHEnd(of: "message \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(value)
    }
}
