/// The packet type byte that follows an SFTP frame's length (draft-ietf-secsh-filexfer-02 §3).
public struct SFTPPacketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `SSH_FXP_INIT` (§4).
    public static let initialize = Self(rawValue: 1)
    /// `SSH_FXP_VERSION` (§4).
    public static let version = Self(rawValue: 2)
    /// `SSH_FXP_OPEN` (§6.3).
    public static let open = Self(rawValue: 3)
    /// `SSH_FXP_CLOSE` (§6.3).
    public static let close = Self(rawValue: 4)
    /// `SSH_FXP_READ` (§6.4).
    public static let read = Self(rawValue: 5)
    /// `SSH_FXP_WRITE` (§6.4).
    public static let write = Self(rawValue: 6)
    /// `SSH_FXP_LSTAT` (§6.8).
    public static let lstat = Self(rawValue: 7)
    /// `SSH_FXP_FSTAT` (§6.8).
    public static let fstat = Self(rawValue: 8)
    /// `SSH_FXP_SETSTAT` (§6.9).
    public static let setstat = Self(rawValue: 9)
    /// `SSH_FXP_FSETSTAT` (§6.9).
    public static let fsetstat = Self(rawValue: 10)
    /// `SSH_FXP_OPENDIR` (§6.7).
    public static let opendir = Self(rawValue: 11)
    /// `SSH_FXP_READDIR` (§6.7).
    public static let readdir = Self(rawValue: 12)
    /// `SSH_FXP_REMOVE` (§6.5).
    public static let remove = Self(rawValue: 13)
    /// `SSH_FXP_MKDIR` (§6.6).
    public static let mkdir = Self(rawValue: 14)
    /// `SSH_FXP_RMDIR` (§6.6).
    public static let rmdir = Self(rawValue: 15)
    /// `SSH_FXP_REALPATH` (§6.11).
    public static let realpath = Self(rawValue: 16)
    /// `SSH_FXP_STAT` (§6.8).
    public static let stat = Self(rawValue: 17)
    /// `SSH_FXP_RENAME` (§6.5).
    public static let rename = Self(rawValue: 18)
    /// `SSH_FXP_READLINK` (§6.10).
    public static let readlink = Self(rawValue: 19)
    /// `SSH_FXP_SYMLINK` (§6.10).
    public static let symlink = Self(rawValue: 20)
    /// `SSH_FXP_STATUS` (§7).
    public static let status = Self(rawValue: 101)
    /// `SSH_FXP_HANDLE` (§7).
    public static let handle = Self(rawValue: 102)
    /// `SSH_FXP_DATA` (§7).
    public static let data = Self(rawValue: 103)
    /// `SSH_FXP_NAME` (§7).
    public static let name = Self(rawValue: 104)
    /// `SSH_FXP_ATTRS` (§7).
    public static let attributes = Self(rawValue: 105)
    /// `SSH_FXP_EXTENDED` (§8).
    public static let extended = Self(rawValue: 200)
    /// `SSH_FXP_EXTENDED_REPLY` (§8).
    public static let extendedReply = Self(rawValue: 201)

    public var description: String { "SSH_FXP(\(rawValue))" }
}
