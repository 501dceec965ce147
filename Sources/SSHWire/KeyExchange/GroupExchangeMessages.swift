import NIOCore

/// `SSH_MSG_KEX_DH_GEX_REQUEST_OLD` (RFC 4419 §5): the preferred group size `n` alone.
public struct KexDHGexRequestOldMessage: SSHMessage {
    public static let messageNumber: UInt8 = 30

    /// `n`, the preferred size of the group in bits.
    public var preferredBits: UInt32

    public init(preferredBits: UInt32) { self.preferredBits = preferredBits }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        preferredBits = try payload.readSSHUInt32()
        try payload.expectSSHEnd(of: "KEX_DH_GEX_REQUEST_OLD")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(preferredBits)
    }
}

/// `SSH_MSG_KEX_DH_GEX_GROUP` (RFC 4419 §3): the group `p`, `g` the server chose.
public struct KexDHGexGroupMessage: KexGroupShape {
    public static let messageNumber: UInt8 = 31
    public var prime: ByteBuffer
    public var generator: ByteBuffer

    public init(prime: ByteBuffer, generator: ByteBuffer) {
        self.prime = prime
        self.generator = generator
    }
}

/// `SSH_MSG_KEX_DH_GEX_INIT` (RFC 4419 §3): the client's `e`.
public struct KexDHGexInitMessage: KexClientValueMessage {
    public static let messageNumber: UInt8 = 32
    /// `e`, as a magnitude.
    public var e: ByteBuffer
    public init(e: ByteBuffer) { self.e = e }
}

/// `SSH_MSG_KEX_DH_GEX_REPLY` (RFC 4419 §3): host key, `f` and the signature of `H`.
public struct KexDHGexReplyMessage: KexDHReplyShape {
    public static let messageNumber: UInt8 = 33
    public var hostKey: ByteBuffer
    public var f: ByteBuffer
    public var signature: ByteBuffer

    public init(hostKey: ByteBuffer, f: ByteBuffer, signature: ByteBuffer) {
        self.hostKey = hostKey
        self.f = f
        self.signature = signature
    }
}

/// `SSH_MSG_KEX_DH_GEX_REQUEST` (RFC 4419 §3): `min`, `n`, `max` group sizes in bits.
public struct KexDHGexRequestMessage: KexGroupRequestShape {
    public static let messageNumber: UInt8 = 34
    public var minimumBits: UInt32
    public var preferredBits: UInt32
    public var maximumBits: UInt32

    public init(minimumBits: UInt32, preferredBits: UInt32, maximumBits: UInt32) {
        self.minimumBits = minimumBits
        self.preferredBits = preferredBits
        self.maximumBits = maximumBits
    }
}
