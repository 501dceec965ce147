import NIOCore

/// `SSH_MSG_KEX_ECDH_INIT` (RFC 5656 §7.1): the client's ephemeral public key `Q_C` as a string.
///
/// Also the shape of curve25519-sha256 (RFC 8731 §3) and of the hybrid post-quantum exchanges.
public struct KexECDHInitMessage: SSHMessage {
    public static let messageNumber: UInt8 = 30

    /// `Q_C`, the client's ephemeral public key octets.
    public var clientPublicKey: ByteBuffer

    public init(clientPublicKey: ByteBuffer) { self.clientPublicKey = clientPublicKey }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        clientPublicKey = try payload.readSSHString()
        try payload.expectSSHEnd(of: "KEX_ECDH_INIT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(clientPublicKey)
    }
}

/// `SSH_MSG_KEX_ECDH_REPLY` (RFC 5656 §7.1): host key `K_S`, `Q_S` and the signature of `H`.
public struct KexECDHReplyMessage: SSHMessage {
    public static let messageNumber: UInt8 = 31

    /// `K_S`, the server's public host key blob.
    public var hostKey: ByteBuffer
    /// `Q_S`, the server's ephemeral public key octets.
    public var serverPublicKey: ByteBuffer
    /// The signature of the exchange hash.
    public var signature: ByteBuffer

    public init(hostKey: ByteBuffer, serverPublicKey: ByteBuffer, signature: ByteBuffer) {
        self.hostKey = hostKey
        self.serverPublicKey = serverPublicKey
        self.signature = signature
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        hostKey = try payload.readSSHString()
        serverPublicKey = try payload.readSSHString()
        signature = try payload.readSSHString()
        try payload.expectSSHEnd(of: "KEX_ECDH_REPLY")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(hostKey)
        buffer.writeSSHString(serverPublicKey)
        buffer.writeSSHString(signature)
    }
}
