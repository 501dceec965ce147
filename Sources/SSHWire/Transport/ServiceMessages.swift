import NIOCore

/// `SSH_MSG_SERVICE_REQUEST` (RFC 4253 §10): asks for `ssh-userauth` or `ssh-connection`.
public struct ServiceRequestMessage: SSHMessage {
    public static let messageNumber: UInt8 = 5

    /// The service name, e.g. `ssh-userauth`.
    public var serviceName: String

    public init(serviceName: String) { self.serviceName = serviceName }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        serviceName = try payload.readSSHUTF8String()
        try payload.expectSSHEnd(of: "SERVICE_REQUEST")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(serviceName)
    }
}

/// `SSH_MSG_SERVICE_ACCEPT` (RFC 4253 §10).
public struct ServiceAcceptMessage: SSHMessage {
    public static let messageNumber: UInt8 = 6

    /// The service granted.
    public var serviceName: String

    public init(serviceName: String) { self.serviceName = serviceName }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        serviceName = try payload.readSSHUTF8String()
        try payload.expectSSHEnd(of: "SERVICE_ACCEPT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(serviceName)
    }
}
