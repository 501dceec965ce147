import NIOCore

/// `SSH_MSG_KEXGSS_INIT` (RFC 4462 §2.1): the first GSS-API token and the client's `e`.
public struct KexGSSInitMessage: SSHMessage {
    public static let messageNumber: UInt8 = 30

    /// The output token of `GSS_Init_sec_context`.
    public var token: ByteBuffer
    /// `e`, as a magnitude.
    public var e: ByteBuffer

    public init(token: ByteBuffer, e: ByteBuffer) {
        self.token = token
        self.e = e
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        token = try payload.readSSHString()
        e = try payload.readSSHUnsignedMPInt()
        try payload.expectSSHEnd(of: "KEXGSS_INIT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(token)
        buffer.writeSSHMPInt(unsignedBigEndian: e.readableBytesView)
    }
}

/// `SSH_MSG_KEXGSS_CONTINUE` (RFC 4462 §2.1): a further context token.
public struct KexGSSContinueMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 31
    /// The token.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}

/// `SSH_MSG_KEXGSS_COMPLETE` (RFC 4462 §2.1): `f`, the MIC of `H`, and an optional last token.
public struct KexGSSCompleteMessage: SSHMessage {
    public static let messageNumber: UInt8 = 32

    /// `f`, as a magnitude.
    public var f: ByteBuffer
    /// The per-message token (MIC) over the exchange hash.
    public var perMessageToken: ByteBuffer
    /// The final output token, if the server's context produced one.
    public var token: ByteBuffer?

    public init(f: ByteBuffer, perMessageToken: ByteBuffer, token: ByteBuffer? = nil) {
        self.f = f
        self.perMessageToken = perMessageToken
        self.token = token
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        f = try payload.readSSHUnsignedMPInt()
        perMessageToken = try payload.readSSHString()
        token = try payload.readSSHBoolean() ? try payload.readSSHString() : nil
        try payload.expectSSHEnd(of: "KEXGSS_COMPLETE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHMPInt(unsignedBigEndian: f.readableBytesView)
        buffer.writeSSHString(perMessageToken)
        buffer.writeSSHBoolean(token != nil)
        if let token { buffer.writeSSHString(token) }
    }
}

/// `SSH_MSG_KEXGSS_HOSTKEY` (RFC 4462 §2.1): the server's host key blob, when it has one.
public struct KexGSSHostKeyMessage: SingleStringMessage {
    public static let messageNumber: UInt8 = 33
    /// The host key blob.
    public var value: ByteBuffer
    public init(value: ByteBuffer) { self.value = value }
}

/// A GSS-API failure report: major and minor status, message and language (RFC 4462 §2.1, §3.8).
public protocol GSSErrorShape: SSHMessage {
    var majorStatus: UInt32 { get }
    var minorStatus: UInt32 { get }
    var message: String { get }
    var languageTag: String { get }
    init(majorStatus: UInt32, minorStatus: UInt32, message: String, languageTag: String)
}

extension GSSErrorShape {
    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        let major = try payload.readSSHUInt32()
        let minor = try payload.readSSHUInt32()
        let message = try payload.readSSHUTF8String()
        self.init(
            majorStatus: major, minorStatus: minor, message: message, languageTag: try payload.readSSHUTF8String())
        try payload.expectSSHEnd(of: "GSS-API error \(Self.messageNumber)")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHUInt32(majorStatus)
        buffer.writeSSHUInt32(minorStatus)
        buffer.writeSSHString(message)
        buffer.writeSSHString(languageTag)
    }
}

/// `SSH_MSG_KEXGSS_ERROR` (RFC 4462 §2.1).
public struct KexGSSErrorMessage: GSSErrorShape {
    public static let messageNumber: UInt8 = 34
    public var majorStatus: UInt32
    public var minorStatus: UInt32
    public var message: String
    public var languageTag: String

    public init(majorStatus: UInt32, minorStatus: UInt32, message: String, languageTag: String = "") {
        self.majorStatus = majorStatus
        self.minorStatus = minorStatus
        self.message = message
        self.languageTag = languageTag
    }
}

/// `SSH_MSG_KEXGSS_GROUPREQ` (RFC 4462 §2.2): group sizes for a GSS group exchange.
public struct KexGSSGroupRequestMessage: KexGroupRequestShape {
    public static let messageNumber: UInt8 = 40
    public var minimumBits: UInt32
    public var preferredBits: UInt32
    public var maximumBits: UInt32

    public init(minimumBits: UInt32, preferredBits: UInt32, maximumBits: UInt32) {
        self.minimumBits = minimumBits
        self.preferredBits = preferredBits
        self.maximumBits = maximumBits
    }
}

/// `SSH_MSG_KEXGSS_GROUP` (RFC 4462 §2.2): the group for a GSS group exchange.
public struct KexGSSGroupMessage: KexGroupShape {
    public static let messageNumber: UInt8 = 41
    public var prime: ByteBuffer
    public var generator: ByteBuffer

    public init(prime: ByteBuffer, generator: ByteBuffer) {
        self.prime = prime
        self.generator = generator
    }
}
