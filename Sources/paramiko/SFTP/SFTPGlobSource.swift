import SFTP

/// What a glob reads: the names in a directory and the attributes of a path, on the server
/// (``SFTPRemoteGlobSource``) or on this machine (``SFTPLocalGlobSource``).
protocol SFTPGlobSource: Sendable {
    /// The entries of `directory` with their attributes (as `lstat` gives them), `.` and `..` included as
    /// `readdir(3)` gives them (only a pattern starting with `.` matches them).
    func entries(of directory: String) async throws -> [SFTPNameEntry]
    /// The attributes of `path` itself, or nil when it does not exist.
    func linkStatus(_ path: String) async -> SFTPAttributes?
    /// The attributes of what `path` leads to, or nil when it does not exist.
    func status(_ path: String) async -> SFTPAttributes?
}
