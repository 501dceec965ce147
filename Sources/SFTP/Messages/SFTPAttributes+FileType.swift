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

extension SFTPFileType {
    /// `drwxr-xr-x` and friends for a mode: the type letter, then the permissions with setuid,
    /// setgid and sticky bits, as `ls -l` and OpenSSH's `strmode` write them (without its trailing space).
    public static func modeString(_ mode: UInt32) -> String {
        let type: Character
        switch SFTPFileType(mode: mode) {
        case .directory: type = "d"
        case .symbolicLink: type = "l"
        case .characterDevice: type = "c"
        case .blockDevice: type = "b"
        case .fifo: type = "p"
        case .socket: type = "s"
        case .regular, .unknown: type = "-"
        }
        var characters: [Character] = [type]
        let special: [(UInt32, Character, Character)] = [(0o4000, "s", "S"), (0o2000, "s", "S"), (0o1000, "t", "T")]
        for (index, shift) in [6, 3, 0].enumerated() {
            let bits = (mode >> UInt32(shift)) & 7
            characters.append(bits & 4 != 0 ? "r" : "-")
            characters.append(bits & 2 != 0 ? "w" : "-")
            let (flag, set, unset) = special[index]
            if mode & flag != 0 {
                characters.append(bits & 1 != 0 ? set : unset)
            } else {
                characters.append(bits & 1 != 0 ? "x" : "-")
            }
        }
        return String(characters)
    }
}
