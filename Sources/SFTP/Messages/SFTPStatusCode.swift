/// An `SSH_FX_*` status code (draft-ietf-secsh-filexfer-02 §7). Codes beyond draft-02 are kept as numbers.
public struct SFTPStatusCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SSH_FX_OK`: success.
    public static let ok = Self(rawValue: 0)
    /// `SSH_FX_EOF`: end of file, or no more directory entries.
    public static let endOfFile = Self(rawValue: 1)
    /// `SSH_FX_NO_SUCH_FILE`.
    public static let noSuchFile = Self(rawValue: 2)
    /// `SSH_FX_PERMISSION_DENIED`.
    public static let permissionDenied = Self(rawValue: 3)
    /// `SSH_FX_FAILURE`.
    public static let failure = Self(rawValue: 4)
    /// `SSH_FX_BAD_MESSAGE`.
    public static let badMessage = Self(rawValue: 5)
    /// `SSH_FX_NO_CONNECTION`.
    public static let noConnection = Self(rawValue: 6)
    /// `SSH_FX_CONNECTION_LOST`.
    public static let connectionLost = Self(rawValue: 7)
    /// `SSH_FX_OP_UNSUPPORTED`.
    public static let operationUnsupported = Self(rawValue: 8)

    public var description: String {
        let names = [
            "OK", "EOF", "NO_SUCH_FILE", "PERMISSION_DENIED", "FAILURE", "BAD_MESSAGE", "NO_CONNECTION",
            "CONNECTION_LOST", "OP_UNSUPPORTED",
        ]
        return rawValue < names.count ? "SSH_FX_\(names[Int(rawValue)])" : "SSH_FX(\(rawValue))"
    }
}
