/// The `pflags` of `SSH_FXP_OPEN` (draft-ietf-secsh-filexfer-02 §6.3).
public struct SFTPOpenFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SSH_FXF_READ`: open for reading.
    public static let read = Self(rawValue: 0x01)
    /// `SSH_FXF_WRITE`: open for writing.
    public static let write = Self(rawValue: 0x02)
    /// `SSH_FXF_APPEND`: every write goes to the end of the file.
    public static let append = Self(rawValue: 0x04)
    /// `SSH_FXF_CREAT`: create the file if it does not exist.
    public static let create = Self(rawValue: 0x08)
    /// `SSH_FXF_TRUNC`: truncate an existing file (needs `.create`).
    public static let truncate = Self(rawValue: 0x10)
    /// `SSH_FXF_EXCL`: fail if the file exists (needs `.create`).
    public static let exclusive = Self(rawValue: 0x20)

    /// The flags of a Python-style mode string: `r`, `w`, `a`, `x`, each with an optional `+`.
    /// Returns nil for anything else.
    public init?(mode: String) {
        let plus: SFTPOpenFlags = mode.contains("+") ? [.read, .write] : []
        switch mode.filter({ $0 != "+" && $0 != "b" }) {
        case "r": self = SFTPOpenFlags.read.union(plus)
        case "w": self = SFTPOpenFlags([.write, .create, .truncate]).union(plus)
        case "a": self = SFTPOpenFlags([.write, .create, .append]).union(plus)
        case "x": self = SFTPOpenFlags([.write, .create, .exclusive]).union(plus)
        default: return nil
        }
    }
}
