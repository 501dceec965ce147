/// A disconnect reason code (RFC 4253 §11.1, RFC 4250 §4.2.2). Unknown codes keep their raw value.
public struct DisconnectReason: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let hostNotAllowedToConnect = Self(rawValue: 1)
    public static let protocolError = Self(rawValue: 2)
    public static let keyExchangeFailed = Self(rawValue: 3)
    public static let reserved = Self(rawValue: 4)
    public static let macError = Self(rawValue: 5)
    public static let compressionError = Self(rawValue: 6)
    public static let serviceNotAvailable = Self(rawValue: 7)
    public static let protocolVersionNotSupported = Self(rawValue: 8)
    public static let hostKeyNotVerifiable = Self(rawValue: 9)
    public static let connectionLost = Self(rawValue: 10)
    public static let byApplication = Self(rawValue: 11)
    public static let tooManyConnections = Self(rawValue: 12)
    public static let authCancelledByUser = Self(rawValue: 13)
    public static let noMoreAuthMethodsAvailable = Self(rawValue: 14)
    public static let illegalUserName = Self(rawValue: 15)

    /// Every code RFC 4253 §11.1 defines.
    public static let allDefined: [Self] = (1...15).map { Self(rawValue: $0) }

    private static let names = [
        "HOST_NOT_ALLOWED_TO_CONNECT", "PROTOCOL_ERROR", "KEY_EXCHANGE_FAILED", "RESERVED", "MAC_ERROR",
        "COMPRESSION_ERROR", "SERVICE_NOT_AVAILABLE", "PROTOCOL_VERSION_NOT_SUPPORTED",
        "HOST_KEY_NOT_VERIFIABLE", "CONNECTION_LOST", "BY_APPLICATION", "TOO_MANY_CONNECTIONS",
        "AUTH_CANCELLED_BY_USER", "NO_MORE_AUTH_METHODS_AVAILABLE", "ILLEGAL_USER_NAME",
    ]

    /// The RFC name without the `SSH_DISCONNECT_` prefix, or the number for unknown codes.
    public var description: String {
        (1...UInt32(Self.names.count)).contains(rawValue) ? Self.names[Int(rawValue) - 1] : "\(rawValue)"
    }
}
