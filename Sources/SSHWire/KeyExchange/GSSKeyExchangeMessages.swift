import NIOCore

/// How a GSS-API key exchange carries the public values: as mpints for Diffie–Hellman groups
/// (RFC 4462 §2.1), as strings for elliptic curves (RFC 8732 §4, §5).
public enum KexPublicValueEncoding: Sendable, Hashable {
    case mpint
    case string

    func read(_ payload: inout ByteBuffer) throws(WireError) -> ByteBuffer {
        switch self {
        case .mpint: try payload.readSSHUnsignedMPInt()
        case .string: try payload.readSSHString()
        }
    }

    func write(_ value: ByteBuffer, into buffer: inout ByteBuffer) {
        switch self {
        case .mpint: buffer.writeSSHMPInt(unsignedBigEndian: value.readableBytesView)
        case .string: buffer.writeSSHString(value)
        }
    }
}

/// `SSH_MSG_KEXGSS_INIT` (RFC 4462 §2.1): the first GSS-API token and the client's `e`.
public struct KexGSSInitMessage: SSHMessage {
    public static let messageNumber: UInt8 = 30

    /// The output token of `GSS_Init_sec_context`.
    public var token: ByteBuffer
    /// `e` (or `Q_C`), as a magnitude.
    public var e: ByteBuffer
    /// How `e` travels.
    public var valueEncoding: KexPublicValueEncoding

    public init(token: ByteBuffer, e: ByteBuffer, valueEncoding: KexPublicValueEncoding = .mpint) {
        self.token = token
        self.e = e
        self.valueEncoding = valueEncoding
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try self.init(decoding: &payload, valueEncoding: .mpint)
    }

    /// Decodes with `e` in `valueEncoding`.
    public init(decoding payload: inout ByteBuffer, valueEncoding: KexPublicValueEncoding) throws(WireError) {
        token = try payload.readSSHString()
        e = try valueEncoding.read(&payload)
        self.valueEncoding = valueEncoding
        try payload.expectSSHEnd(of: "KEXGSS_INIT")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        buffer.writeSSHString(token)
        valueEncoding.write(e, into: &buffer)
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

    /// `f` (or `Q_S`), as a magnitude.
    public var f: ByteBuffer
    /// The per-message token (MIC) over the exchange hash.
    public var perMessageToken: ByteBuffer
    /// The final output token, if the server's context produced one.
    public var token: ByteBuffer?
    /// How `f` travels.
    public var valueEncoding: KexPublicValueEncoding

    public init(f: ByteBuffer, perMessageToken: ByteBuffer, token: ByteBuffer? = nil, valueEncoding: KexPublicValueEncoding = .mpint) {
        self.f = f
        self.perMessageToken = perMessageToken
        self.token = token
        self.valueEncoding = valueEncoding
    }

    public init(decoding payload: inout ByteBuffer) throws(WireError) {
        try self.init(decoding: &payload, valueEncoding: .mpint)
    }

    /// Decodes with `f` in `valueEncoding`.
    public init(decoding payload: inout ByteBuffer, valueEncoding: KexPublicValueEncoding) throws(WireError) {
        f = try valueEncoding.read(&payload)
        perMessageToken = try payload.readSSHString()
        token = try payload.readSSHBoolean() ? try payload.readSSHString() : nil
        self.valueEncoding = valueEncoding
        try payload.expectSSHEnd(of: "KEXGSS_COMPLETE")
    }

    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(Self.messageNumber)
        valueEncoding.write(f, into: &buffer)
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
