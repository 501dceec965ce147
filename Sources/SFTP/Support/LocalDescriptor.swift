import NIOCore
import SSHWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A local file descriptor with the few calls transfers need, each retried on EINTR and mapped to
/// ``SFTPError`` with the local path in its detail.
struct LocalDescriptor: Sendable {
    let fd: Int32
    let path: String

    /// Opens `path` relative to `directory` (AT_FDCWD for the process's directory).
    static func open(
        _ path: String, flags: Int32, mode: mode_t = 0o644, relativeTo directory: Int32 = AT_FDCWD
    ) throws(SFTPError) -> LocalDescriptor {
        while true {
            let fd = openat(directory, path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return LocalDescriptor(fd: fd, path: path) }
            if errno != EINTR { throw SFTPError(errno: errno, "local \(path)") }
        }
    }

    func close() {
        _ = SFTP.closeDescriptor(fd)
    }

    /// fsync(2): the file's data and attributes on the disk.
    func sync() throws(SFTPError) {
        while fsync(fd) != 0 {
            if errno != EINTR { throw SFTPError(errno: errno, "local \(path)") }
        }
    }

    /// fstat(2).
    func status() throws(SFTPError) -> stat {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SFTPError(errno: errno, "local \(path)") }
        return info
    }

    /// Reads up to `count` bytes at `offset` into the end of `buffer`; returns the bytes read (0 at EOF).
    func read(into buffer: inout ByteBuffer, count: Int, at offset: UInt64) throws(SFTPError) -> Int {
        try Self.checkRange(offset, count, path)
        var failure: Int32 = 0
        let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var total = 0
            while total < count {
                let result = pread(fd, raw.baseAddress.map { $0 + total }, count - total, off_t(offset) + off_t(total))
                if result > 0 {
                    total += result
                } else if result == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
            return total
        }
        if failure != 0 { throw SFTPError(errno: failure, "local \(path)") }
        return got
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ByteBuffer, at offset: UInt64) throws(SFTPError) {
        try write([bytes], at: offset)
    }

    /// Writes all of `pieces`, one after another, at `offset`, with as few `pwritev` calls as the file
    /// takes (up to ``maximumVectors`` pieces each).
    func write(_ pieces: [ByteBuffer], at offset: UInt64) throws(SFTPError) {
        try Self.checkRange(offset, pieces.reduce(0) { $0 + $1.readableBytes }, path)
        var remaining = pieces
        var position = offset
        remaining.removeFirst(bytes: 0)  // Empty pieces at the front go.
        while !remaining.isEmpty {
            let result = remaining.prefix(Self.maximumVectors).withIOVectors { vectors in
                while true {
                    let written = pwritev(fd, vectors, Int32(vectors.count), off_t(position))
                    if written >= 0 || errno != EINTR { return written < 0 ? -Int(errno) : written }
                }
            }
            if result < 0 { throw SFTPError(errno: Int32(-result), "local \(path)") }
            if result == 0 { throw SFTPError(errno: EIO, "local \(path): nothing written") }
            remaining.removeFirst(bytes: result)
            position += UInt64(result)
        }
    }

    /// The most vectors one `pwritev` takes (IOV_MAX on Linux and Darwin).
    private static let maximumVectors = 1024

    /// Throws EINVAL's status for a range past what `off_t` holds (offsets come from the wire).
    private static func checkRange(_ offset: UInt64, _ count: Int, _ path: String) throws(SFTPError) {
        guard offset <= UInt64(Int64.max) - UInt64(count) else {
            throw SFTPError(errno: EINVAL, "offset \(offset) of \(path)")
        }
    }

    /// Sets the permission bits and the access and modification times that `attributes` holds.
    func setAttributes(_ attributes: SFTPAttributes) throws(SFTPError) {
        if let permissions = attributes.permissions, fchmod(fd, mode_t(permissions & 0o7777)) != 0 {
            throw SFTPError(errno: errno, "local chmod \(path)")
        }
        if let accessTime = attributes.accessTime, let modificationTime = attributes.modificationTime {
            var times = [
                timespec(tv_sec: time_t(accessTime), tv_nsec: 0),
                timespec(tv_sec: time_t(modificationTime), tv_nsec: 0),
            ]
            if futimens(fd, &times) != 0 { throw SFTPError(errno: errno, "local utime \(path)") }
        }
    }
}

/// close(2), named apart from the `close` methods in scope.
func closeDescriptor(_ fd: Int32) -> Int32 {
    close(fd)
}

/// The `stat` structure, named apart from the `stat` methods in scope.
typealias FileStatus = stat

/// mkdir(2), named apart from the `mkdir` methods in scope.
func makeLocalDirectory(_ path: String, _ mode: mode_t) -> Int32 {
    mkdir(path, mode)
}

/// The target of the symbolic link `name` in `directory`, as UTF-8 text.
func localLinkTarget(_ directory: Int32, _ name: String, describedAs path: String) throws(SFTPError) -> String {
    var bytes = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
    let count = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            guard let base = chars.baseAddress else { return -1 }
            return readlinkat(directory, name, base, chars.count)
        }
    }
    guard count >= 0 else { throw SFTPError(errno: errno, "readlink \(path)") }
    guard let target = String(validating: bytes[..<count], as: UTF8.self) else {
        throw SFTPError(.invalidArgument, "\(path): a link target that is not UTF-8")
    }
    return target
}
