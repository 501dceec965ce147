#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SFTPError {
    /// The error for a failed system call, mapped as OpenSSH's `errno_to_portable` does (sftp-server.c):
    /// a missing path is NO_SUCH_FILE, a refusal PERMISSION_DENIED, a bad argument BAD_MESSAGE, anything
    /// else FAILURE with the system's message (ENOSPC: "No space left on device").
    public init(errno code: Int32, _ context: String) {
        let message = "\(context): \(String(cString: strerror(code)))"
        switch code {
        case ENOENT, ENOTDIR, EBADF, ELOOP: self.init(.noSuchFile, message)
        case EPERM, EACCES, EFAULT, EROFS: self.init(.permissionDenied, message)
        case ENAMETOOLONG, EINVAL: self.init(.badMessage, message)
        case ENOSYS, EOPNOTSUPP: self.init(.operationUnsupported, message)
        default: self.init(.failure, message)
        }
    }
}
