import NIOCore

/// `SSH_MSG_KEXDH_INIT` (RFC 4253 §8): the client's public value `e`.
public struct KexDHInitMessage: KexClientValueMessage {
    public static let messageNumber: UInt8 = 30
    /// `e`, as a magnitude.
    public var e: ByteBuffer
    public init(e: ByteBuffer) { self.e = e }
}

/// `SSH_MSG_KEXDH_REPLY` (RFC 4253 §8): host key `K_S`, `f` and the signature of `H`.
public struct KexDHReplyMessage: KexDHReplyShape {
    public static let messageNumber: UInt8 = 31
    public var hostKey: ByteBuffer
    public var f: ByteBuffer
    public var signature: ByteBuffer

    public init(hostKey: ByteBuffer, f: ByteBuffer, signature: ByteBuffer) {
        self.hostKey = hostKey
        self.f = f
        self.signature = signature
    }
}
