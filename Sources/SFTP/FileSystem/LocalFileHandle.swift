import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open local file of ``LocalFileSystem``; every call runs off the caller's thread (``BlockingIO``).
final class LocalFileHandle: SFTPFileHandle {
    private let file: LocalDescriptor
    private let closed = Locked(false)

    init(_ file: LocalDescriptor) {
        self.file = file
    }

    deinit {
        if !closed.withLock({ $0 }) { file.close() }
    }

    func read(at offset: UInt64, length: Int) async throws -> ByteBuffer {
        let file = self.file
        return try await BlockingIO.run { () throws(SFTPError) -> ByteBuffer in
            var buffer = ByteBuffer()
            _ = try file.read(into: &buffer, count: length, at: offset)
            return buffer
        }
    }

    func write(_ data: ByteBuffer, at offset: UInt64) async throws {
        let file = self.file
        try await BlockingIO.run { () throws(SFTPError) in try file.write(data, at: offset) }
    }

    func stat() async throws -> SFTPAttributes {
        let file = self.file
        return try await BlockingIO.run { () throws(SFTPError) in SFTPAttributes(try file.status()) }
    }

    func setAttributes(_ attributes: SFTPAttributes) async throws {
        let file = self.file
        try await BlockingIO.run { () throws(SFTPError) in
            if let size = attributes.size, ftruncate(file.fd, off_t(clamping: size)) != 0 {
                throw SFTPError(errno: errno, "truncate \(file.path)")
            }
            if let uid = attributes.uid, let gid = attributes.gid, fchown(file.fd, uid_t(uid), gid_t(gid)) != 0 {
                throw SFTPError(errno: errno, "chown \(file.path)")
            }
            try file.setAttributes(attributes)
        }
    }

    func sync() async throws {
        let file = self.file
        try await BlockingIO.run { () throws(SFTPError) in
            if fsync(file.fd) != 0 { throw SFTPError(errno: errno, "fsync \(file.path)") }
        }
    }

    func fileSystemStats() async throws -> SFTPFileSystemStats {
        let file = self.file
        return try await BlockingIO.run { () throws(SFTPError) in try LocalFileSystem.stats(of: file.fd, file.path) }
    }

    func close() async throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        if closeDescriptor(file.fd) != 0 { throw SFTPError(errno: errno, "close \(file.path)") }
    }
}

/// An open local directory of ``LocalFileSystem``: names with their attributes and `ls -l` lines, 100
/// at a time as OpenSSH's sftp-server sends them, `.` and `..` first as readdir(3) gives them (`..` of the
/// root is the root itself).
final class LocalDirectoryHandle: SFTPDirectoryHandle {
    /// Entries per READDIR reply.
    static let batchSize = 100

    private let directory: LocalDescriptor
    private let reader: LocalDirectoryReader
    private let closed = Locked(false)
    private let dotsPending = Locked(true)
    private let isRoot: Bool

    init(_ directory: LocalDescriptor, isRoot: Bool) throws(SFTPError) {
        self.directory = directory
        self.isRoot = isRoot
        self.reader = try LocalDirectoryReader(directory: directory.fd, path: directory.path)
    }

    deinit {
        if !closed.withLock({ $0 }) {
            reader.close()
            directory.close()
        }
    }

    func nextEntries() async throws -> [SFTPNameEntry]? {
        let directory = self.directory
        let reader = self.reader
        let withDots = dotsPending.withLock { pending in
            defer { pending = false }
            return pending
        }
        let isRoot = self.isRoot
        return try await BlockingIO.run { () throws(SFTPError) -> [SFTPNameEntry]? in
            var entries: [SFTPNameEntry] = []
            var names = LongName.NameCache()
            if withDots {
                for (name, source) in [(".", "."), ("..", isRoot ? "." : "..")] {
                    var info = FileStatus()
                    guard fstatat(directory.fd, source, &info, 0) == 0 else { continue }
                    entries.append(
                        SFTPNameEntry(
                            filename: name, longname: LongName.make(name, info, names: &names),
                            attributes: SFTPAttributes(info)))
                }
            }
            while entries.count < Self.batchSize, let bytes = try reader.next() {
                // A name that is not UTF-8 cannot travel in a v3 string this package decodes strictly.
                guard let name = String(validating: bytes, as: UTF8.self) else { continue }
                var info = FileStatus()
                guard fstatat(directory.fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                entries.append(
                    SFTPNameEntry(
                        filename: name, longname: LongName.make(name, info, names: &names),
                        attributes: SFTPAttributes(info))
                )
            }
            return entries.isEmpty ? nil : entries
        }
    }

    func close() async throws {
        let first = closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        reader.close()
        directory.close()
    }
}
