import NIOCore

/// What an ``SFTPServer`` serves: paramiko's `SFTPServerInterface`, one async method per request of
/// draft-ietf-secsh-filexfer-02 §6 and OpenSSH PROTOCOL §4.
///
/// Paths arrive as the client sent them. Every method defaults to throwing OP_UNSUPPORTED, so an
/// implementation offers only what it implements; ``extensions`` names the OpenSSH extensions it backs.
/// Throw ``SFTPError`` to choose the STATUS; any other error becomes FAILURE. ``LocalFileSystem`` is the
/// local-disk implementation, confined to a root.
public protocol SFTPFileSystem: Sendable {
    /// The extension names of ``SFTPExtensionName`` this file system implements; the server announces them
    /// in VERSION (§4) with `limits@openssh.com` and `copy-data`, which it implements itself.
    var extensions: Set<String> { get }
    /// OPEN (§6.3).
    func open(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws -> any SFTPFileHandle
    /// OPENDIR (§6.7).
    func openDirectory(_ path: String) async throws -> any SFTPDirectoryHandle
    /// STAT (§6.8): follows symbolic links.
    func stat(_ path: String) async throws -> SFTPAttributes
    /// LSTAT (§6.8): does not follow a final symbolic link.
    func lstat(_ path: String) async throws -> SFTPAttributes
    /// SETSTAT (§6.9), or `lsetstat@openssh.com` (PROTOCOL §4.7) when `followingLinks` is false.
    func setAttributes(_ path: String, _ attributes: SFTPAttributes, followingLinks: Bool) async throws
    /// REMOVE (§6.5).
    func remove(_ path: String) async throws
    /// MKDIR (§6.6).
    func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws
    /// RMDIR (§6.6).
    func removeDirectory(_ path: String) async throws
    /// REALPATH (§6.11): the canonical absolute path.
    func canonicalPath(_ path: String) async throws -> String
    /// RENAME (§6.5) when `replacing` is false, `posix-rename@openssh.com` (PROTOCOL §4.3) when true.
    func rename(_ oldPath: String, to newPath: String, replacing: Bool) async throws
    /// READLINK (§6.10).
    func readLink(_ path: String) async throws -> String
    /// SYMLINK (§6.10): a link at `linkPath` whose content is `target`.
    func makeSymbolicLink(target: String, at linkPath: String) async throws
    /// `hardlink@openssh.com` (PROTOCOL §4.5).
    func makeHardLink(to existingPath: String, at newPath: String) async throws
    /// `statvfs@openssh.com` (PROTOCOL §4.4).
    func fileSystemStats(_ path: String) async throws -> SFTPFileSystemStats
    /// `expand-path@openssh.com` (PROTOCOL §4.9): `~` expanded, then canonical.
    func expandPath(_ path: String) async throws -> String
    /// `home-directory` (PROTOCOL §4.11); an empty name is the session's user.
    func homeDirectory(of username: String) async throws -> String
    /// `users-groups-by-id@openssh.com` (PROTOCOL §4.12).
    func names(uids: [UInt32], gids: [UInt32]) async throws -> SFTPUserGroupNames
    /// Any other EXTENDED request (§8); answer with a STATUS, EXTENDED_REPLY or any response.
    func extended(_ request: SFTPExtendedRequest) async throws -> SFTPResponse
}

/// An open file of an ``SFTPFileSystem``: paramiko's `SFTPHandle`.
public protocol SFTPFileHandle: Sendable {
    /// Up to `length` bytes at `offset`; empty at the end of the file (READ, §6.4).
    func read(at offset: UInt64, length: Int) async throws -> ByteBuffer
    /// Writes `data` at `offset` (WRITE, §6.4).
    func write(_ data: ByteBuffer, at offset: UInt64) async throws
    /// FSTAT (§6.8).
    func stat() async throws -> SFTPAttributes
    /// FSETSTAT (§6.9).
    func setAttributes(_ attributes: SFTPAttributes) async throws
    /// `fsync@openssh.com` (PROTOCOL §4.6).
    func sync() async throws
    /// `fstatvfs@openssh.com` (PROTOCOL §4.4).
    func fileSystemStats() async throws -> SFTPFileSystemStats
    /// CLOSE (§6.3).
    func close() async throws
}

/// An open directory of an ``SFTPFileSystem``.
public protocol SFTPDirectoryHandle: Sendable {
    /// The next entries, or nil at the end (READDIR, §6.7).
    func nextEntries() async throws -> [SFTPNameEntry]?
    /// CLOSE (§6.3).
    func close() async throws
}

extension SFTPFileSystem {
    /// None by default.
    public var extensions: Set<String> { [] }
    /// Throws OP_UNSUPPORTED by default.
    public func open(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws
        -> any SFTPFileHandle
    { throw unsupported("OPEN") }
    /// Throws OP_UNSUPPORTED by default.
    public func openDirectory(_ path: String) async throws -> any SFTPDirectoryHandle { throw unsupported("OPENDIR") }
    /// Throws OP_UNSUPPORTED by default.
    public func stat(_ path: String) async throws -> SFTPAttributes { throw unsupported("STAT") }
    /// Throws OP_UNSUPPORTED by default.
    public func lstat(_ path: String) async throws -> SFTPAttributes { throw unsupported("LSTAT") }
    /// Throws OP_UNSUPPORTED by default.
    public func setAttributes(_ path: String, _ attributes: SFTPAttributes, followingLinks: Bool) async throws {
        throw unsupported("SETSTAT")
    }
    /// Throws OP_UNSUPPORTED by default.
    public func remove(_ path: String) async throws { throw unsupported("REMOVE") }
    /// Throws OP_UNSUPPORTED by default.
    public func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws { throw unsupported("MKDIR") }
    /// Throws OP_UNSUPPORTED by default.
    public func removeDirectory(_ path: String) async throws { throw unsupported("RMDIR") }
    /// Throws OP_UNSUPPORTED by default.
    public func canonicalPath(_ path: String) async throws -> String { throw unsupported("REALPATH") }
    /// Throws OP_UNSUPPORTED by default.
    public func rename(_ oldPath: String, to newPath: String, replacing: Bool) async throws {
        throw unsupported("RENAME")
    }
    /// Throws OP_UNSUPPORTED by default.
    public func readLink(_ path: String) async throws -> String { throw unsupported("READLINK") }
    /// Throws OP_UNSUPPORTED by default.
    public func makeSymbolicLink(target: String, at linkPath: String) async throws { throw unsupported("SYMLINK") }
    /// Throws OP_UNSUPPORTED by default.
    public func makeHardLink(to existingPath: String, at newPath: String) async throws {
        throw unsupported(SFTPExtensionName.hardlink)
    }
    /// Throws OP_UNSUPPORTED by default.
    public func fileSystemStats(_ path: String) async throws -> SFTPFileSystemStats {
        throw unsupported(SFTPExtensionName.statvfs)
    }
    /// Throws OP_UNSUPPORTED by default.
    public func expandPath(_ path: String) async throws -> String { throw unsupported(SFTPExtensionName.expandPath) }
    /// Throws OP_UNSUPPORTED by default.
    public func homeDirectory(of username: String) async throws -> String {
        throw unsupported(SFTPExtensionName.homeDirectory)
    }
    /// Throws OP_UNSUPPORTED by default.
    public func names(uids: [UInt32], gids: [UInt32]) async throws -> SFTPUserGroupNames {
        throw unsupported(SFTPExtensionName.usersGroupsByID)
    }
    /// Throws OP_UNSUPPORTED by default.
    public func extended(_ request: SFTPExtendedRequest) async throws -> SFTPResponse {
        throw unsupported(request.name)
    }
}

extension SFTPFileHandle {
    /// Throws OP_UNSUPPORTED by default.
    public func write(_ data: ByteBuffer, at offset: UInt64) async throws { throw unsupported("WRITE") }
    /// Throws OP_UNSUPPORTED by default.
    public func setAttributes(_ attributes: SFTPAttributes) async throws { throw unsupported("FSETSTAT") }
    /// Throws OP_UNSUPPORTED by default.
    public func sync() async throws { throw unsupported(SFTPExtensionName.fsync) }
    /// Throws OP_UNSUPPORTED by default.
    public func fileSystemStats() async throws -> SFTPFileSystemStats { throw unsupported(SFTPExtensionName.fstatvfs) }
    /// Nothing to release by default.
    public func close() async throws {}
}

extension SFTPDirectoryHandle {
    /// Nothing to release by default.
    public func close() async throws {}
}

private func unsupported(_ what: String) -> SFTPError {
    SFTPError(.operationUnsupported, "\(what) is not supported")
}
