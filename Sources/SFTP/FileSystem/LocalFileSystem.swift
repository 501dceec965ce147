import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local disk, confined to a root directory: what OpenSSH's sftp-server serves under `ChrootDirectory`,
/// without needing privileges (AsyncSSH's default SFTP server does the same).
///
/// Clients see the root as `/`; relative paths start at ``home``. Every path is resolved component by
/// component under the root's descriptor (``LocalPathResolver``): symbolic links are followed inside the
/// root's view, `..` stops at the root, and the final call is an `*at` call with `O_NOFOLLOW` or
/// `AT_SYMLINK_NOFOLLOW`, so neither `../`, an absolute path, a link pointing out nor a link swapped in
/// during an operation reaches outside. Every path it returns (REALPATH, READLINK, NAME) is in the client's
/// view. File I/O runs on Dispatch threads, never on the caller's. errno maps to STATUS as OpenSSH maps it.
public final class LocalFileSystem: SFTPFileSystem {
    /// The root, as given.
    public let rootPath: String
    /// The directory relative paths start from, in the client's view.
    public let home: String
    private let root: Int32
    private let realRootPrefix: String
    private let resolver: LocalPathResolver
    /// Runs between resolving a path and the call that uses it; tests swap links here.
    let raceHook = Locked<(@Sendable (String) -> Void)?>(nil)

    /// Serves `root`; relative paths start at `home` (in the client's view, `/` by default).
    public init(root: String, home: String = "/") throws {
        let fd = try LocalDescriptor.open(root, flags: O_RDONLY | O_DIRECTORY).fd
        self.root = fd
        self.rootPath = root
        let homeComponents = home.split(separator: "/").map(String.init)
        self.home = "/" + homeComponents.joined(separator: "/")
        var canonical = root
        if let resolved = realpath(root, nil) {
            canonical = String(cString: resolved)
            free(resolved)
        }
        self.realRootPrefix = canonical.hasSuffix("/") ? canonical : canonical + "/"
        self.resolver = LocalPathResolver(root: fd, home: homeComponents, realRootPrefix: realRootPrefix)
    }

    deinit { _ = closeDescriptor(root) }

    /// Every OpenSSH extension but `limits@openssh.com` and `copy-data`, which the server implements.
    public var extensions: Set<String> {
        [
            SFTPExtensionName.posixRename, SFTPExtensionName.statvfs, SFTPExtensionName.fstatvfs,
            SFTPExtensionName.hardlink, SFTPExtensionName.fsync, SFTPExtensionName.lsetstat,
            SFTPExtensionName.expandPath, SFTPExtensionName.homeDirectory, SFTPExtensionName.usersGroupsByID,
        ]
    }

    /// Resolves `path` and runs `body` on the result off the caller's thread.
    private func withResolved<Value: Sendable>(
        _ path: String, followFinalLink: Bool, _ body: @escaping @Sendable (ResolvedPath) throws(SFTPError) -> Value
    ) async throws -> Value {
        let resolver = self.resolver
        let hook = raceHook.withLock { $0 }
        return try await BlockingIO.run { () throws(SFTPError) -> Value in
            let resolved = try resolver.resolve(path, followFinalLink: followFinalLink)
            defer { resolved.close() }
            hook?(resolved.virtualPath)
            return try body(resolved)
        }
    }

    /// OPEN (§6.3): a final link is followed inside the root, then `openat(…, O_NOFOLLOW)`; only regular files.
    public func open(_ path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes) async throws
        -> any SFTPFileHandle
    {
        var mode: Int32
        switch (flags.contains(.read), flags.contains(.write)) {
        case (true, true): mode = O_RDWR
        case (false, true): mode = O_WRONLY
        default: mode = O_RDONLY
        }
        if flags.contains(.append) { mode |= O_APPEND }
        if flags.contains(.create) { mode |= O_CREAT }
        if flags.contains(.truncate) { mode |= O_TRUNC }
        if flags.contains(.exclusive) { mode |= O_EXCL }
        let openFlags = mode | O_NOFOLLOW | O_NONBLOCK
        let permissions = mode_t((attributes.permissions ?? 0o666) & 0o7777)
        let file = try await withResolved(path, followFinalLink: true) { (resolved) throws(SFTPError) in
            let name = try resolved.requireName("open")
            let file = try LocalDescriptor.open(
                name, flags: openFlags, mode: permissions, relativeTo: resolved.directory)
            let info = try file.status()
            guard info.st_mode & S_IFMT == S_IFREG else {
                file.close()
                throw SFTPError(.failure, "\(resolved.virtualPath): not a regular file")
            }
            // Back to blocking I/O for reads and writes.
            _ = fcntl(file.fd, F_SETFL, fcntl(file.fd, F_GETFL) & ~O_NONBLOCK)
            return LocalDescriptor(fd: file.fd, path: resolved.virtualPath)
        }
        return LocalFileHandle(file)
    }

    /// OPENDIR (§6.7): the directory opened with `O_DIRECTORY | O_NOFOLLOW` under the root.
    public func openDirectory(_ path: String) async throws -> any SFTPDirectoryHandle {
        let (directory, isRoot) = try await withResolved(path, followFinalLink: true) { (resolved) throws(SFTPError) in
            let directory = try LocalDescriptor.open(
                resolved.name ?? ".", flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, relativeTo: resolved.directory)
            return (LocalDescriptor(fd: directory.fd, path: resolved.virtualPath), resolved.virtualPath == "/")
        }
        do throws(SFTPError) {
            return try LocalDirectoryHandle(directory, isRoot: isRoot)
        } catch {
            directory.close()
            throw error
        }
    }

    /// STAT (§6.8): links followed inside the root.
    public func stat(_ path: String) async throws -> SFTPAttributes {
        try await attributes(path, followFinalLink: true)
    }

    /// LSTAT (§6.8): `fstatat(…, AT_SYMLINK_NOFOLLOW)` on the final component.
    public func lstat(_ path: String) async throws -> SFTPAttributes {
        try await attributes(path, followFinalLink: false)
    }

    private func attributes(_ path: String, followFinalLink: Bool) async throws -> SFTPAttributes {
        try await withResolved(path, followFinalLink: followFinalLink) { (resolved) throws(SFTPError) in
            var info = FileStatus()
            guard fstatat(resolved.directory, resolved.name ?? ".", &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw SFTPError(errno: errno, resolved.virtualPath)
            }
            return SFTPAttributes(info)
        }
    }

    /// SETSTAT (§6.9) or `lsetstat@openssh.com` (PROTOCOL §4.7): size, owner, mode and times, each
    /// applied with a call that does not follow the final component.
    public func setAttributes(_ path: String, _ attributes: SFTPAttributes, followingLinks: Bool) async throws {
        try await withResolved(path, followFinalLink: followingLinks) { (resolved) throws(SFTPError) in
            let directory = resolved.directory
            let name = resolved.name ?? "."
            let shown = resolved.virtualPath
            if let size = attributes.size {
                let file = try LocalDescriptor.open(
                    name, flags: O_WRONLY | O_NOFOLLOW | O_NONBLOCK, relativeTo: directory)
                defer { file.close() }
                if ftruncate(file.fd, off_t(clamping: size)) != 0 { throw SFTPError(errno: errno, "truncate \(shown)") }
            }
            if let uid = attributes.uid, let gid = attributes.gid,
                fchownat(directory, name, uid_t(uid), gid_t(gid), AT_SYMLINK_NOFOLLOW) != 0
            {
                throw SFTPError(errno: errno, "chown \(shown)")
            }
            if let permissions = attributes.permissions {
                try Self.changeMode(directory, name, mode_t(permissions & 0o7777), shown)
            }
            if let accessTime = attributes.accessTime, let modificationTime = attributes.modificationTime {
                var times = [
                    timespec(tv_sec: time_t(accessTime), tv_nsec: 0),
                    timespec(tv_sec: time_t(modificationTime), tv_nsec: 0),
                ]
                if utimensat(directory, name, &times, AT_SYMLINK_NOFOLLOW) != 0 {
                    throw SFTPError(errno: errno, "utime \(shown)")
                }
            }
        }
    }

    /// chmod without following a final link. Where the C library cannot do that for a plain file (Linux
    /// without /proc), the entry is checked again and changed only if it is not a link.
    private static func changeMode(_ directory: Int32, _ name: String, _ mode: mode_t, _ path: String)
        throws(SFTPError)
    {
        if fchmodat(directory, name, mode, AT_SYMLINK_NOFOLLOW) == 0 { return }
        let code = errno
        guard code == EOPNOTSUPP || code == ENOTSUP || code == ENOSYS else {
            throw SFTPError(errno: code, "chmod \(path)")
        }
        var info = FileStatus()
        guard fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { throw SFTPError(errno: errno, path) }
        guard info.st_mode & S_IFMT != S_IFLNK else {
            throw SFTPError(.operationUnsupported, "chmod \(path): a symbolic link has no mode of its own")
        }
        if fchmodat(directory, name, mode, 0) != 0 { throw SFTPError(errno: errno, "chmod \(path)") }
    }

    /// REMOVE (§6.5): `unlinkat`; a final link is removed, not followed.
    public func remove(_ path: String) async throws {
        try await withResolved(path, followFinalLink: false) { (resolved) throws(SFTPError) in
            if unlinkat(resolved.directory, try resolved.requireName("remove"), 0) != 0 {
                throw SFTPError(errno: errno, "remove \(resolved.virtualPath)")
            }
        }
    }

    /// MKDIR (§6.6): `mkdirat` with the requested permissions (0777 less the umask by default).
    public func makeDirectory(_ path: String, attributes: SFTPAttributes) async throws {
        let mode = mode_t((attributes.permissions ?? 0o777) & 0o7777)
        try await withResolved(path, followFinalLink: false) { (resolved) throws(SFTPError) in
            if mkdirat(resolved.directory, try resolved.requireName("mkdir"), mode) != 0 {
                throw SFTPError(errno: errno, "mkdir \(resolved.virtualPath)")
            }
        }
    }

    /// RMDIR (§6.6): `unlinkat(…, AT_REMOVEDIR)`.
    public func removeDirectory(_ path: String) async throws {
        try await withResolved(path, followFinalLink: false) { (resolved) throws(SFTPError) in
            if unlinkat(resolved.directory, try resolved.requireName("rmdir"), AT_REMOVEDIR) != 0 {
                throw SFTPError(errno: errno, "rmdir \(resolved.virtualPath)")
            }
        }
    }

    /// REALPATH (§6.11): links resolved inside the root, `.` and `..` removed; the final component may
    /// be missing, as in OpenSSH.
    public func canonicalPath(_ path: String) async throws -> String {
        try await withResolved(path, followFinalLink: true) { resolved in resolved.virtualPath }
    }

    /// RENAME (§6.5) refuses an existing target, as OpenSSH does; `posix-rename@openssh.com` replaces it.
    public func rename(_ oldPath: String, to newPath: String, replacing: Bool) async throws {
        let resolver = self.resolver
        try await withResolved(oldPath, followFinalLink: false) { (old) throws(SFTPError) in
            let new = try resolver.resolve(newPath, followFinalLink: false)
            defer { new.close() }
            let oldName = try old.requireName("rename")
            let newName = try new.requireName("rename")
            var info = FileStatus()
            if !replacing, fstatat(new.directory, newName, &info, AT_SYMLINK_NOFOLLOW) == 0 {
                throw SFTPError(.failure, "rename \(old.virtualPath): \(new.virtualPath) exists")
            }
            if renameat(old.directory, oldName, new.directory, newName) != 0 {
                throw SFTPError(errno: errno, "rename \(old.virtualPath)")
            }
        }
    }

    /// READLINK (§6.10): the link text, with a target under the root's real path shown below `/`.
    public func readLink(_ path: String) async throws -> String {
        let rootPrefix = realRootPrefix
        return try await withResolved(path, followFinalLink: false) { (resolved) throws(SFTPError) in
            let target = try localLinkTarget(
                resolved.directory, try resolved.requireName("readlink"), describedAs: resolved.virtualPath)
            // A link written by a local process to the root's real path is shown in the client's view.
            if target.hasPrefix(rootPrefix) { return "/" + target.dropFirst(rootPrefix.count) }
            return target
        }
    }

    /// SYMLINK (§6.10): `symlinkat` with the target text as given; it is resolved inside the root when used.
    public func makeSymbolicLink(target: String, at linkPath: String) async throws {
        guard !target.utf8.contains(0) else { throw SFTPError(.badMessage, "a link target with a NUL byte") }
        try await withResolved(linkPath, followFinalLink: false) { (resolved) throws(SFTPError) in
            if symlinkat(target, resolved.directory, try resolved.requireName("symlink")) != 0 {
                throw SFTPError(errno: errno, "symlink \(resolved.virtualPath)")
            }
        }
    }

    /// `hardlink@openssh.com` (PROTOCOL §4.5): `linkat` between two paths under the root.
    public func makeHardLink(to existingPath: String, at newPath: String) async throws {
        let resolver = self.resolver
        try await withResolved(existingPath, followFinalLink: false) { (old) throws(SFTPError) in
            let new = try resolver.resolve(newPath, followFinalLink: false)
            defer { new.close() }
            if linkat(old.directory, try old.requireName("link"), new.directory, try new.requireName("link"), 0) != 0 {
                throw SFTPError(errno: errno, "link \(new.virtualPath)")
            }
        }
    }

    /// `statvfs@openssh.com` (PROTOCOL §4.4) of the file system holding `path`.
    public func fileSystemStats(_ path: String) async throws -> SFTPFileSystemStats {
        try await withResolved(path, followFinalLink: true) { (resolved) throws(SFTPError) in
            #if os(Linux)
                let flags: Int32 = 0o10000000 | O_NOFOLLOW  // O_PATH: no read permission needed
            #else
                let flags: Int32 = O_RDONLY | O_NOFOLLOW | O_NONBLOCK
            #endif
            let file = try LocalDescriptor.open(resolved.name ?? ".", flags: flags, relativeTo: resolved.directory)
            defer { file.close() }
            return try Self.stats(of: file.fd, resolved.virtualPath)
        }
    }

    /// fstatvfs(2) as `statvfs@openssh.com` reports it (PROTOCOL §4.4).
    static func stats(of fd: Int32, _ path: String) throws(SFTPError) -> SFTPFileSystemStats {
        var info = statvfs()
        guard fstatvfs(fd, &info) == 0 else { throw SFTPError(errno: errno, "statvfs \(path)") }
        var flags: SFTPFileSystemStats.Flags = []
        if UInt64(info.f_flag) & UInt64(ST_RDONLY) != 0 { flags.insert(.readOnly) }
        if UInt64(info.f_flag) & UInt64(ST_NOSUID) != 0 { flags.insert(.noSetUID) }
        return SFTPFileSystemStats(
            blockSize: UInt64(info.f_bsize), fragmentSize: UInt64(info.f_frsize), blocks: UInt64(info.f_blocks),
            freeBlocks: UInt64(info.f_bfree), availableBlocks: UInt64(info.f_bavail), files: UInt64(info.f_files),
            freeFiles: UInt64(info.f_ffree), availableFiles: UInt64(info.f_favail), fileSystemID: UInt64(info.f_fsid),
            flags: flags, maximumNameLength: UInt64(info.f_namemax))
    }

    /// `expand-path@openssh.com` (PROTOCOL §4.9): `~` is ``home``; other users' homes do not exist here.
    public func expandPath(_ path: String) async throws -> String {
        var expanded = path
        if path == "~" || path.hasPrefix("~/") {
            expanded = home + "/" + path.dropFirst(path == "~" ? 1 : 2)
        } else if path.hasPrefix("~") {
            throw SFTPError(.noSuchFile, "\(path): only the session's own home exists under this root")
        }
        return try await canonicalPath(expanded)
    }

    /// `home-directory` (PROTOCOL §4.11): ``home`` for the session's user.
    public func homeDirectory(of username: String) async throws -> String {
        guard username.isEmpty || username == LocalAccounts.userName(UInt32(getuid())) else {
            throw SFTPError(.noSuchFile, "\(username): only the session's own home exists under this root")
        }
        return home
    }

    /// `users-groups-by-id@openssh.com` (PROTOCOL §4.12) from the system's user and group databases.
    public func names(uids: [UInt32], gids: [UInt32]) async throws -> SFTPUserGroupNames {
        SFTPUserGroupNames(
            userNames: uids.map { LocalAccounts.userName($0) ?? "" },
            groupNames: gids.map { LocalAccounts.groupName($0) ?? "" })
    }
}
