/// A step of a recursive transfer (``SFTPClient/getDirectory(_:to:options:)``,
/// ``SFTPClient/putDirectory(_:to:options:)``), reported through ``SFTPTransferOptions/treeEvents`` so that a
/// front end can say what happens as it happens, as OpenSSH's sftp does with "Retrieving", "Entering" and
/// "not a regular file".
///
/// Paths name the source side: remote paths for a download, local paths for an upload, each built from the
/// root as it was passed.
public enum SFTPTreeEvent: Sendable, Hashable {
    /// A directory whose entries are about to be copied; the root comes first.
    case enteringDirectory(String)
    /// An entry left out: a device, socket or FIFO, or a symbolic link under
    /// ``SFTPTransferOptions/SymbolicLinks/skip``.
    case skipped(String)
}
