import NIOCore

/// `SSH_MSG_GLOBAL_REQUEST` (RFC 4254 §4).
public struct GlobalRequestMessage: SSHMessage {
    public static let messageNumber: UInt8 = 80

    /// The request and its data.
    public var request: GlobalRequestType
    /// Whether the sender expects REQUEST_SUCCESS or REQUEST_FAILURE.
    public var wantReply: Bool

    public init(request: GlobalRequestType, wantReply: Bool) {
        self.request = request
        self.wantReply = wantReply
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let name = try payload.readSSHUTF8String()
        wantReply = try payload.readSSHBoolean()
        request = try GlobalRequestType.decode(name: name, from: &payload)
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(request.name)
        buffer.writeSSHBoolean(wantReply)
        request.encodeData(into: &buffer)
    }
}

/// `SSH_MSG_REQUEST_SUCCESS` (RFC 4254 §4): response-specific data follows, kept raw.
public struct RequestSuccessMessage: SSHMessage {
    public static let messageNumber: UInt8 = 81

    /// The response-specific data: the bound port for `tcpip-forward` with port 0 (RFC 4254 §7.1),
    /// signatures for `hostkeys-prove-00@openssh.com`, or nothing.
    public var data: ByteBuffer

    public init(data: ByteBuffer = ByteBuffer()) { self.data = data }

    /// A reply carrying the port the server bound (RFC 4254 §7.1).
    public init(boundPort: UInt32) {
        var data = ByteBuffer()
        data.writeSSHUInt32(boundPort)
        self.init(data: data)
    }

    /// The bound port, if ``data`` is exactly one `uint32` (RFC 4254 §7.1).
    public var boundPort: UInt32? {
        var data = self.data
        guard data.readableBytes == 4 else { return nil }
        return try? data.readSSHUInt32()
    }

    /// The data read as `string`s to the end: the signatures answering `hostkeys-prove-00@openssh.com`
    /// (OpenSSH PROTOCOL §2.5), one per key asked about.
    public func strings() throws(WireError) -> [ByteBuffer] {
        var data = self.data
        return try data.readSSHStringsToEnd()
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        data = payload.readSSHRemainingBytes()
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeImmutableBuffer(data)
    }
}

/// `SSH_MSG_REQUEST_FAILURE` (RFC 4254 §4).
public struct RequestFailureMessage: SSHMessage {
    public static let messageNumber: UInt8 = 82

    public init() {}

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try payload.expectSSHEnd(of: "REQUEST_FAILURE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
    }
}
