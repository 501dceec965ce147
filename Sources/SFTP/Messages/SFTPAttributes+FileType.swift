/// The file type held in the `S_IFMT` bits of ``SFTPAttributes/permissions`` (draft-ietf-secsh-filexfer-02 §5,
/// which carries POSIX `st_mode` as is).
public enum SFTPFileType: Hashable, Sendable {
    case regular, directory, symbolicLink, characterDevice, blockDevice, fifo, socket, unknown

    /// The type of the mode bits `mode`.
    public init(mode: UInt32) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symbolicLink
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o010000: self = .fifo
        case 0o140000: self = .socket
        default: self = .unknown
        }
    }
}

extension SFTPAttributes {
    /// The file type, or nil when the permissions are absent.
    public var fileType: SFTPFileType? { permissions.map { SFTPFileType(mode: $0) } }
    /// True when the permissions say directory.
    public var isDirectory: Bool { fileType == .directory }
    /// True when the permissions say regular file.
    public var isRegularFile: Bool { fileType == .regular }
    /// True when the permissions say symbolic link.
    public var isSymbolicLink: Bool { fileType == .symbolicLink }
}
