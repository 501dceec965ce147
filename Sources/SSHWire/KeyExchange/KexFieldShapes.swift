import NIOCore

// Several key exchange messages share a shape under different numbers; these protocols give each
// shape one decoder and one encoder.

/// A client message holding only its public value `e` (RFC 4253 §8, RFC 4419 §3).
public protocol KexClientValueMessage: SSHMessage {
    /// `e`, the client's public value, as a magnitude: big-endian, without a sign byte.
    var e: ByteBuffer { get }
    init(e: ByteBuffer)
}

extension KexClientValueMessage {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        self.init(e: try payload.readSSHUnsignedMPInt())
        try payload.expectSSHEnd(of: "key exchange message \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHMPInt(unsignedBigEndian: e.readableBytesView)
    }
}

/// A server reply of host key, Diffie-Hellman `f` and signature (RFC 4253 §8, RFC 4419 §3).
public protocol KexDHReplyShape: SSHMessage {
    /// `K_S`, the server's public host key blob.
    var hostKey: ByteBuffer { get }
    /// `f`, the server's public value, as a magnitude.
    var f: ByteBuffer { get }
    /// The signature of the exchange hash.
    var signature: ByteBuffer { get }
    init(hostKey: ByteBuffer, f: ByteBuffer, signature: ByteBuffer)
}

extension KexDHReplyShape {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let hostKey = try payload.readSSHString()
        let f = try payload.readSSHUnsignedMPInt()
        self.init(hostKey: hostKey, f: f, signature: try payload.readSSHString())
        try payload.expectSSHEnd(of: "key exchange reply \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(hostKey)
        buffer.writeSSHMPInt(unsignedBigEndian: f.readableBytesView)
        buffer.writeSSHString(signature)
    }
}

/// A request for a group by size, `min || n || max` in bits (RFC 4419 §3, RFC 4462 §2.2).
public protocol KexGroupRequestShape: SSHMessage {
    var minimumBits: UInt32 { get }
    var preferredBits: UInt32 { get }
    var maximumBits: UInt32 { get }
    init(minimumBits: UInt32, preferredBits: UInt32, maximumBits: UInt32)
}

extension KexGroupRequestShape {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let minimum = try payload.readSSHUInt32()
        let preferred = try payload.readSSHUInt32()
        self.init(minimumBits: minimum, preferredBits: preferred, maximumBits: try payload.readSSHUInt32())
        try payload.expectSSHEnd(of: "group request \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(minimumBits)
        buffer.writeSSHUInt32(preferredBits)
        buffer.writeSSHUInt32(maximumBits)
    }
}

/// A group sent by the server: safe prime `p` and generator `g` (RFC 4419 §3, RFC 4462 §2.2).
public protocol KexGroupShape: SSHMessage {
    /// The prime, as a magnitude.
    var prime: ByteBuffer { get }
    /// The generator, as a magnitude.
    var generator: ByteBuffer { get }
    init(prime: ByteBuffer, generator: ByteBuffer)
}

extension KexGroupShape {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let prime = try payload.readSSHUnsignedMPInt()
        self.init(prime: prime, generator: try payload.readSSHUnsignedMPInt())
        try payload.expectSSHEnd(of: "group \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHMPInt(unsignedBigEndian: prime.readableBytesView)
        buffer.writeSSHMPInt(unsignedBigEndian: generator.readableBytesView)
    }
}
