/// What a recursive transfer copied.
public struct SFTPTreeSummary: Sendable, Hashable {
    /// Regular files copied.
    public var files = 0
    /// Directories created or entered.
    public var directories = 0
    /// Symbolic links recreated.
    public var symbolicLinks = 0
    /// Bytes of file content copied.
    public var bytes: UInt64 = 0
    /// Entries left out: devices, sockets, FIFOs, and links under ``SFTPTransferOptions/SymbolicLinks/skip``.
    public var skipped = 0

    /// An empty summary.
    public init() {}
}
