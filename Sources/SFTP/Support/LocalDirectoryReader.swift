#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(Darwin)
    typealias DirectoryStream = UnsafeMutablePointer<DIR>
#else
    typealias DirectoryStream = OpaquePointer
#endif

/// The names in a local directory, read with `readdir(3)` from a directory descriptor; `.` and `..` are
/// left out. The reader owns a duplicate of the descriptor and must be closed.
final class LocalDirectoryReader: @unchecked Sendable {
    private var stream: DirectoryStream?
    private let path: String

    /// Opens a reader on directory descriptor `directory` (which stays open and is not moved).
    init(directory: Int32, path: String) throws(SFTPError) {
        self.path = path
        let copy = dup(directory)
        guard copy >= 0 else { throw SFTPError(errno: errno, "dup \(path)") }
        guard let stream = fdopendir(copy) else {
            let code = errno
            _ = closeDescriptor(copy)
            throw SFTPError(errno: code, "opendir \(path)")
        }
        rewinddir(stream)
        self.stream = stream
    }

    /// The next name as raw bytes, or nil at the end.
    func next() throws(SFTPError) -> [UInt8]? {
        guard let stream else { return nil }
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw SFTPError(errno: errno, "readdir \(path)") }
                return nil
            }
            let name = withUnsafePointer(to: &entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: UInt8.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    Array(
                        UnsafeBufferPointer(
                            start: $0, count: strlen(UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))))
                }
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            return name
        }
    }

    /// Every remaining name; a name that is not UTF-8 throws `.invalidArgument`.
    func allNames() throws(SFTPError) -> [String] {
        var names: [String] = []
        while let bytes = try next() {
            guard let name = String(validating: bytes, as: UTF8.self) else {
                throw SFTPError(.invalidArgument, "local \(path): a name that is not UTF-8")
            }
            names.append(name)
        }
        return names
    }

    func close() {
        if let stream { closedir(stream) }
        stream = nil
    }

    deinit { close() }
}
