#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A listening Unix stream socket's file, created with mode 0600 as ssh-agent creates its own, and
/// removed only while it is still the file that was bound (same device and inode).
struct UnixSocketFile: Sendable, Hashable {
    let path: String
    let device: UInt64
    let inode: UInt64

    /// Creates a stream socket bound to `path` with mode 0600 and returns its descriptor, not yet listening.
    ///
    /// The directory holding `path` must exist, belong to this user and be writable by no one else, so that
    /// no one else can swap the socket for their own. Nothing may exist at `path` yet.
    static func bind(path: String) throws(AgentError) -> (descriptor: Int32, file: UnixSocketFile) {
        var address = sockaddr_un()
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
            throw AgentError(.invalidArgument, "a Unix socket path is 1 to \(capacity - 1) bytes, not \(bytes.count)")
        }
        try checkDirectory(of: path)
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }

        #if canImport(Darwin)
            let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #else
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #endif
        guard descriptor >= 0 else { throw failure("socket") }
        // Linux gives the socket file the mode of the unbound socket's inode, so it is 0600 from birth;
        // elsewhere the chmod below narrows it right after bind, inside a directory no one else can write.
        _ = fchmod(descriptor, 0o600)
        let status = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                systemBind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard status == 0 else {
            let error = failure("bind \(path)")
            _ = systemClose(descriptor)
            throw error
        }
        var info = stat()
        guard chmod(path, 0o600) == 0, lstat(path, &info) == 0, info.st_mode & 0o777 == 0o600 else {
            let error = failure("chmod 0600 \(path)")
            _ = unlink(path)
            _ = systemClose(descriptor)
            throw error
        }
        let file = UnixSocketFile(
            path: path, device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino))
        return (descriptor, file)
    }

    /// Removes the socket file unless something else has taken its place.
    func remove() {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(truncatingIfNeeded: info.st_dev) == device,
            UInt64(truncatingIfNeeded: info.st_ino) == inode
        else { return }
        _ = unlink(path)
    }

    private static func checkDirectory(of path: String) throws(AgentError) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        var info = stat()
        guard lstat(directory, &info) == 0 else { throw failure("the socket's directory \(directory)") }
        guard info.st_mode & 0o170000 == 0o040000 else {
            throw AgentError(.invalidArgument, "\(directory) is not a directory")
        }
        guard info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else {
            throw AgentError(
                .invalidArgument,
                "\(directory) must belong to this user and be writable by no one else to hold an agent socket")
        }
    }

    private static func failure(_ what: String) -> AgentError {
        AgentError(.socket, "\(what): \(String(cString: strerror(errno)))")
    }
}

private func systemBind(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    #if canImport(Darwin)
        Darwin.bind(descriptor, address, length)
    #elseif canImport(Musl)
        Musl.bind(descriptor, address, length)
    #else
        Glibc.bind(descriptor, address, length)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Darwin)
        Darwin.close(descriptor)
    #elseif canImport(Musl)
        Musl.close(descriptor)
    #else
        Glibc.close(descriptor)
    #endif
}
