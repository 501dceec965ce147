#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Recursive transfers of directory trees.
///
/// Downloads never trust the server's names (LIMITS.md): every READDIR name must be a single path component
/// (``SFTPClient/isSinglePathComponent(_:)``) and appear once per directory, or the transfer stops with
/// ``SFTPError/Code/unsafeName``. Local files and directories are created relative to directory descriptors
/// with `O_NOFOLLOW`, so no name and no symbolic link can steer a write outside the destination.
extension SFTPClient {
    /// How deep a recursive transfer goes before it gives up (a loop through followed links).
    public static let maximumTreeDepth = 64

    /// Downloads the remote directory `remotePath` into the local directory `localPath`, created if missing.
    @discardableResult
    public func getDirectory(_ remotePath: String, to localPath: String, options: SFTPTransferOptions = .init())
        async throws -> SFTPTreeSummary
    {
        if makeLocalDirectory(localPath, 0o755) != 0, errno != EEXIST {
            throw SFTPError(errno: errno, "local mkdir \(localPath)")
        }
        let directory = try LocalDescriptor.open(localPath, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        var summary = SFTPTreeSummary()
        summary.directories += 1
        try await downloadTree(absolutePath(remotePath), into: directory, depth: 0, options: options, summary: &summary)
        if options.preserveAttributes {
            try directory.setAttributes(try await stat(remotePath).permissionsAndTimes)
        }
        return summary
    }

    private func downloadTree(
        _ remoteDirectory: String, into local: LocalDescriptor, depth: Int, options: SFTPTransferOptions,
        summary: inout SFTPTreeSummary
    ) async throws {
        guard depth < Self.maximumTreeDepth else {
            throw SFTPError(.failure, "\(remoteDirectory): deeper than \(Self.maximumTreeDepth) levels")
        }
        options.treeEvents?(.enteringDirectory(remoteDirectory))
        // Every name of the directory is checked before anything of it is written.
        let entries = try await listDirectory(remoteDirectory)
        var seen = Set<String>()
        for entry in entries {
            let name = entry.filename
            guard Self.isSinglePathComponent(name) else {
                throw SFTPError(.unsafeName, "\(remoteDirectory): the server listed \(name.debugDescription)")
            }
            guard seen.insert(name).inserted else {
                throw SFTPError(.unsafeName, "\(remoteDirectory): the server listed \(name.debugDescription) twice")
            }
        }
        for entry in entries {
            let name = entry.filename
            let remote = remoteDirectory.hasSuffix("/") ? remoteDirectory + name : remoteDirectory + "/" + name
            var attributes = entry.attributes.permissions == nil ? try await lstat(remote) : entry.attributes
            if attributes.isSymbolicLink {
                switch options.symbolicLinks {
                case .skip:
                    options.treeEvents?(.skipped(remote))
                    summary.skipped += 1
                    continue
                case .preserve:
                    let target = try await readlink(remote)
                    if symlinkat(target, local.fd, name) != 0 {
                        throw SFTPError(errno: errno, "local symlink \(local.path)/\(name)")
                    }
                    summary.symbolicLinks += 1
                    continue
                case .follow:
                    attributes = try await stat(remote)
                }
            }
            switch attributes.fileType {
            case .directory:
                if mkdirat(local.fd, name, 0o700) != 0, errno != EEXIST {
                    throw SFTPError(errno: errno, "local mkdir \(local.path)/\(name)")
                }
                let child = try LocalDescriptor.open(
                    name, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW, relativeTo: local.fd)
                defer { child.close() }
                let named = LocalDescriptor(fd: child.fd, path: local.path + "/" + name)
                summary.directories += 1
                try await downloadTree(remote, into: named, depth: depth + 1, options: options, summary: &summary)
                try named.setAttributes(
                    options.preserveAttributes ? attributes.permissionsAndTimes : SFTPAttributes(permissions: 0o755))
            case .regular:
                let file = try LocalDescriptor.open(
                    name, flags: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, relativeTo: local.fd)
                defer { file.close() }
                let named = LocalDescriptor(fd: file.fd, path: local.path + "/" + name)
                var fileOptions = options
                fileOptions.resume = false
                summary.bytes += try await download(remote, into: named, options: fileOptions)
                summary.files += 1
            default:
                options.treeEvents?(.skipped(remote))
                summary.skipped += 1
            }
        }
    }

    /// Uploads the local directory `localPath` into the remote directory `remotePath`, created if missing.
    @discardableResult
    public func putDirectory(_ localPath: String, to remotePath: String, options: SFTPTransferOptions = .init())
        async throws -> SFTPTreeSummary
    {
        let directory = try LocalDescriptor.open(localPath, flags: O_RDONLY | O_DIRECTORY)
        defer { directory.close() }
        try await makeRemoteDirectory(remotePath)
        var summary = SFTPTreeSummary()
        summary.directories += 1
        let remote = absolutePath(remotePath)
        try await uploadTree(directory, to: remote, depth: 0, options: options, summary: &summary)
        if options.preserveAttributes {
            try await setstat(remote, SFTPAttributes(try directory.status()).permissionsAndTimes)
        }
        return summary
    }

    /// MKDIR that accepts an existing directory.
    private func makeRemoteDirectory(_ path: String) async throws {
        do {
            try await mkdir(path)
        } catch let error as SFTPError {
            guard let existing = try? await stat(path), existing.isDirectory else { throw error }
        }
    }

    private func uploadTree(
        _ local: LocalDescriptor, to remoteDirectory: String, depth: Int, options: SFTPTransferOptions,
        summary: inout SFTPTreeSummary
    ) async throws {
        guard depth < Self.maximumTreeDepth else {
            throw SFTPError(.failure, "local \(local.path): deeper than \(Self.maximumTreeDepth) levels")
        }
        options.treeEvents?(.enteringDirectory(local.path))
        let reader = try LocalDirectoryReader(directory: local.fd, path: local.path)
        let names = try reader.allNames().sorted()
        reader.close()
        for name in names {
            let remote = remoteDirectory.hasSuffix("/") ? remoteDirectory + name : remoteDirectory + "/" + name
            var info = FileStatus()
            guard fstatat(local.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw SFTPError(errno: errno, "local \(local.path)/\(name)")
            }
            var follow: Int32 = O_NOFOLLOW
            if info.st_mode & S_IFMT == S_IFLNK {
                switch options.symbolicLinks {
                case .skip:
                    options.treeEvents?(.skipped(local.path + "/" + name))
                    summary.skipped += 1
                    continue
                case .preserve:
                    try await symlink(
                        target: try localLinkTarget(local.fd, name, describedAs: "local \(local.path)/\(name)"),
                        linkPath: remote)
                    summary.symbolicLinks += 1
                    continue
                case .follow:
                    guard fstatat(local.fd, name, &info, 0) == 0 else {
                        throw SFTPError(errno: errno, "local \(local.path)/\(name)")
                    }
                    follow = 0
                }
            }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                let child = try LocalDescriptor.open(name, flags: O_RDONLY | O_DIRECTORY | follow, relativeTo: local.fd)
                defer { child.close() }
                try await makeRemoteDirectory(remote)
                summary.directories += 1
                let named = LocalDescriptor(fd: child.fd, path: local.path + "/" + name)
                try await uploadTree(named, to: remote, depth: depth + 1, options: options, summary: &summary)
                if options.preserveAttributes { try await setstat(remote, SFTPAttributes(info).permissionsAndTimes) }
            case S_IFREG:
                let file = try LocalDescriptor.open(name, flags: O_RDONLY | follow, relativeTo: local.fd)
                defer { file.close() }
                var fileOptions = options
                fileOptions.resume = false
                summary.bytes += try await upload(
                    LocalDescriptor(fd: file.fd, path: local.path + "/" + name), to: remote, options: fileOptions)
                summary.files += 1
            default:
                options.treeEvents?(.skipped(local.path + "/" + name))
                summary.skipped += 1
            }
        }
    }
}
