import SSHCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension HostKeys {
    /// The mode of a known_hosts file this library creates.
    public static let newFileMode: UInt32 = 0o644

    /// Reads a known_hosts file. A file over ``maximumFileSize`` bytes is refused unread; lines that
    /// cannot be used are kept and listed in ``lineErrors``, as hostfile.c skips them and reads on.
    public init(contentsOfFile path: String) throws(KnownHostsError) {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard Int(status.st_size) <= Self.maximumFileSize else {
            throw .fileTooLarge(path: path, size: Int(status.st_size))
        }
        do {
            self.init(bytes: try KeyFileIO.readFile(path, maximumSize: Self.maximumFileSize))
        } catch {
            throw .unreadable(path: path, reason: error.detail)
        }
    }

    /// Writes the file atomically: a temporary file beside it is written, synced and renamed over it, so
    /// readers see the old file or the new one, never a part. An existing file keeps its permission bits;
    /// a new one gets ``newFileMode``.
    public func write(toFile path: String) throws(KnownHostsError) {
        var status = stat()
        let mode = stat(path, &status) == 0 ? mode_t(status.st_mode) & 0o7777 : mode_t(Self.newFileMode)
        do {
            try KeyFileIO.writeFile(bytes, to: path, mode: mode)
        } catch {
            throw .unwritable(path: path, reason: error.detail)
        }
    }
}
