/// Operations on names (draft-ietf-secsh-filexfer-02 §6.5, §6.6, §6.10, §6.11) and OpenSSH's extensions
/// (PROTOCOL §4.3–§4.12).
extension SFTPClient {
    /// Creates a directory (MKDIR, §6.6), with `mode` as its permissions when given.
    public func mkdir(_ path: String, mode: UInt32? = nil) async throws {
        try await sendExpectingOK(.mkdir(path: absolutePath(path), attributes: SFTPAttributes(permissions: mode)))
    }

    /// Removes an empty directory (RMDIR, §6.6).
    public func rmdir(_ path: String) async throws {
        try await sendExpectingOK(.rmdir(path: absolutePath(path)))
    }

    /// Removes a file (REMOVE, §6.5); paramiko's `remove` and `unlink`.
    public func remove(_ path: String) async throws {
        try await sendExpectingOK(.remove(path: absolutePath(path)))
    }

    /// Renames `oldPath` to `newPath` (RENAME, §6.5); most servers refuse when `newPath` exists.
    public func rename(_ oldPath: String, to newPath: String) async throws {
        try await sendExpectingOK(.rename(oldPath: absolutePath(oldPath), newPath: absolutePath(newPath)))
    }

    /// Renames with POSIX semantics, replacing `newPath` atomically (`posix-rename@openssh.com`, PROTOCOL §4.3).
    public func posixRename(_ oldPath: String, to newPath: String) async throws {
        try requireExtension(SFTPExtensionName.posixRename)
        try await sendExpectingOK(
            .extended(.posixRename(oldPath: absolutePath(oldPath), newPath: absolutePath(newPath))))
    }

    /// Creates a symbolic link at `linkPath` pointing to `target` (SYMLINK, §6.10).
    ///
    /// `target` is sent as given (a relative target stays relative to the link's directory); `linkPath` is
    /// resolved against the working directory. The two travel in the order of
    /// ``SFTPClientOptions/symlinkOrder``: OpenSSH reverses the draft (PROTOCOL §4.1).
    public func symlink(target: String, linkPath: String) async throws {
        let link = absolutePath(linkPath)
        let request: SFTPRequest =
            symlinkTargetFirst ? .symlink(first: target, second: link) : .symlink(first: link, second: target)
        try await sendExpectingOK(request)
    }

    /// Whether SYMLINK goes target first, as OpenSSH wants it (PROTOCOL §4.1).
    public var symlinkTargetFirst: Bool {
        switch options.symlinkOrder {
        case .targetFirst: true
        case .linkFirst: false
        case .automatic: serverExtensions.contains { $0.name.hasSuffix("@openssh.com") }
        }
    }

    /// Creates a hard link `newPath` to `oldPath` (`hardlink@openssh.com`, PROTOCOL §4.5).
    public func hardlink(_ oldPath: String, to newPath: String) async throws {
        try requireExtension(SFTPExtensionName.hardlink)
        try await sendExpectingOK(.extended(.hardlink(oldPath: absolutePath(oldPath), newPath: absolutePath(newPath))))
    }

    /// The target of a symbolic link (READLINK, §6.10).
    public func readlink(_ path: String) async throws -> String {
        try await sendExpectingOneName(.readlink(path: absolutePath(path))).filename
    }

    /// The canonical absolute form of `path` (REALPATH, §6.11); paramiko's `normalize`.
    public func realpath(_ path: String) async throws -> String {
        try await sendExpectingOneName(.realpath(path: absolutePath(path))).filename
    }

    /// `path` with `~` and `~user` expanded and canonicalised by the server (`expand-path@openssh.com`,
    /// PROTOCOL §4.9).
    public func expandPath(_ path: String) async throws -> String {
        try requireExtension(SFTPExtensionName.expandPath)
        let resolved = path.hasPrefix("~") ? path : absolutePath(path)
        return try await sendExpectingOneName(.extended(.expandPath(path: resolved))).filename
    }

    /// The home directory of `username`, or of the session's user when empty (`home-directory`, PROTOCOL §4.11).
    public func homeDirectory(of username: String = "") async throws -> String {
        try requireExtension(SFTPExtensionName.homeDirectory)
        return try await sendExpectingOneName(.extended(.homeDirectory(username: username))).filename
    }

    /// File system statistics of the file system holding `path` (`statvfs@openssh.com`, PROTOCOL §4.4).
    public func statvfs(_ path: String) async throws -> SFTPFileSystemStats {
        try await sendExtended(.statvfs(path: absolutePath(path)), decode: SFTPFileSystemStats.init(decoding:))
    }

    /// File system statistics of the file system holding an open handle (`fstatvfs@openssh.com`, PROTOCOL §4.4).
    public func fstatvfs(_ handle: SFTPHandle) async throws -> SFTPFileSystemStats {
        try await sendExtended(.fstatvfs(handle: handle), decode: SFTPFileSystemStats.init(decoding:))
    }

    /// Flushes an open handle to disk (`fsync@openssh.com`, PROTOCOL §4.6).
    public func fsync(_ handle: SFTPHandle) async throws {
        try requireExtension(SFTPExtensionName.fsync)
        try await sendExpectingOK(.extended(.fsync(handle: handle)))
    }

    /// User and group names for numeric ids (`users-groups-by-id@openssh.com`, PROTOCOL §4.12).
    public func names(uids: [UInt32], gids: [UInt32]) async throws -> SFTPUserGroupNames {
        try await sendExtended(.usersGroupsByID(uids: uids, gids: gids), decode: SFTPUserGroupNames.init(decoding:))
    }

    /// Copies `length` bytes (0: to the end) between two open handles on the server (`copy-data`,
    /// PROTOCOL §4.10).
    public func copyData(
        from source: SFTPHandle, offset sourceOffset: UInt64 = 0, length: UInt64 = 0, to destination: SFTPHandle,
        offset destinationOffset: UInt64 = 0
    ) async throws {
        try requireExtension(SFTPExtensionName.copyData)
        try await sendExpectingOK(
            .extended(
                .copyData(
                    source: source, sourceOffset: sourceOffset, length: length, destination: destination,
                    destinationOffset: destinationOffset)))
    }

    // MARK: Handles

    /// Opens a file and returns its raw handle (OPEN, §6.3); ``open(_:flags:attributes:)`` wraps it in an
    /// ``SFTPFile``.
    public func openHandle(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes = .none) async throws
        -> SFTPHandle
    {
        try await sendExpectingHandle(.open(path: absolutePath(path), flags: flags, attributes: attributes))
    }

    /// Opens a directory for reading (OPENDIR, §6.7).
    public func openDirectoryHandle(_ path: String) async throws -> SFTPHandle {
        try await sendExpectingHandle(.opendir(path: absolutePath(path)))
    }

    /// Closes a handle (CLOSE, §6.3).
    public func closeHandle(_ handle: SFTPHandle) async throws {
        try await sendExpectingOK(.close(handle: handle))
    }

    /// The next batch of entries of an open directory, or nil at its end (READDIR, §6.7).
    public func readDirectory(_ handle: SFTPHandle) async throws -> [SFTPNameEntry]? {
        switch try await channel.send(.readdir(handle: handle)) {
        case .name(let entries): return entries
        case .status(let status) where status.code == .endOfFile: return nil
        case let other: throw Self.unexpected(other, for: .readdir(handle: handle))
        }
    }
}
