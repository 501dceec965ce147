import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The local side of `paramiko sftp`: attributes of local paths, the system's error texts and `~`
/// expansion, as OpenSSH's sftp uses them.
enum SFTPLocalFiles {
    /// The text of `errno` value `code` (`strerror(3)`).
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// The `lstat(2)` of `path` as SFTP attributes, or the errno.
    static func linkStatus(_ path: String) -> Result<SFTPAttributes, SFTPLocalError> {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .failure(SFTPLocalError(code: errno)) }
        return .success(attributes(info))
    }

    /// The `stat(2)` of `path` as SFTP attributes, or the errno.
    static func status(_ path: String) -> Result<SFTPAttributes, SFTPLocalError> {
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(SFTPLocalError(code: errno)) }
        return .success(attributes(info))
    }

    /// True when `path` is a directory or a link to one (OpenSSH's `local_is_dir`).
    static func isDirectory(_ path: String) -> Bool {
        (try? status(path).get())?.isDirectory ?? false
    }

    /// `info` as SFTP attributes.
    static func attributes(_ info: stat) -> SFTPAttributes {
        #if canImport(Darwin)
            let accessed = info.st_atimespec.tv_sec
            let modified = info.st_mtimespec.tv_sec
        #else
            let accessed = info.st_atim.tv_sec
            let modified = info.st_mtim.tv_sec
        #endif
        return SFTPAttributes(
            size: UInt64(max(0, info.st_size)), uid: UInt32(info.st_uid), gid: UInt32(info.st_gid),
            permissions: UInt32(info.st_mode), accessTime: UInt32(truncatingIfNeeded: accessed),
            modificationTime: UInt32(truncatingIfNeeded: modified))
    }

    /// `path` with a leading `~` or `~user` replaced by the home directory (OpenSSH's
    /// `tilde_expand_filename`); unchanged when there is none or the user is unknown.
    static func expandTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let slash = path.firstIndex(of: "/") ?? path.endIndex
        let user = path[path.index(after: path.startIndex)..<slash]
        let home: String?
        if user.isEmpty {
            if let variable = getenv("HOME"), variable.pointee != 0 {
                home = String(cString: variable)
            } else {
                home = homeDirectory(getpwuid(getuid()))
            }
        } else {
            home = homeDirectory(getpwnam(String(user)))
        }
        guard let home else { return path }
        let rest = path[slash...]
        if rest.isEmpty { return home }
        return home.hasSuffix("/") ? home + rest.dropFirst() : home + rest
    }

    private static func homeDirectory(_ entry: UnsafeMutablePointer<passwd>?) -> String? {
        guard let entry, let directory = entry.pointee.pw_dir else { return nil }
        return String(cString: directory)
    }

    /// The process's working directory.
    static func currentDirectory() -> Result<String, SFTPLocalError> {
        guard let pointer = getcwd(nil, 0) else { return .failure(SFTPLocalError(code: errno)) }
        defer { free(pointer) }
        return .success(String(cString: pointer))
    }
}
