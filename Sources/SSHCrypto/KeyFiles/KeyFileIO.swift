#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// File access for key files, with the creation rules private keys need; other targets use it for
/// the files that sit beside keys (known_hosts).
package enum KeyFileIO {
    /// The largest key file read (a 16,384-bit RSA key in PEM is under 13 KiB).
    package static let maximumFileSize = 1 << 20

    /// Reads a whole file, refusing it once it passes `maximumSize` bytes.
    package static func readFile(_ path: String, maximumSize: Int = maximumFileSize) throws(KeyFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw KeyFileError(.io, "cannot open \(path): \(errorText())") }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw KeyFileError(.io, "cannot read \(path): \(errorText())") }
            if count == 0 { break }
            contents += chunk[0..<count]
            guard contents.count <= maximumSize else { throw KeyFileError(.io, "\(path) is too large") }
        }
        return contents
    }

    /// Creates `path.tmp-XXXX` with mode 0600 (`O_CREAT | O_EXCL`), writes, fsyncs and renames it over
    /// `path`, so the key is never readable by others, not even for a moment.
    static func writePrivate(_ bytes: [UInt8], to path: String) throws(KeyFileError) {
        try writeFile(bytes, to: path, mode: 0o600)
    }

    /// The same for a public file, mode 0644.
    static func writePublic(_ bytes: [UInt8], to path: String) throws(KeyFileError) {
        try writeFile(bytes, to: path, mode: 0o644)
    }

    /// The same with any mode: the file appears whole under `path` or not at all.
    package static func writeFile(_ bytes: [UInt8], to path: String, mode: mode_t) throws(KeyFileError) {
        var temporary = ""
        var descriptor: Int32 = -1
        for _ in 0..<16 {
            temporary = path + ".tmp-" + String(UInt32.random(in: 0 ... .max), radix: 16)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
            if descriptor >= 0 || errno != EEXIST { break }
        }
        guard descriptor >= 0 else { throw KeyFileError(.io, "cannot create \(temporary): \(errorText())") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes {
                write(descriptor, $0.baseAddress.map { $0 + written }, $0.count - written)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let reason = errorText()
                close(descriptor)
                unlink(temporary)
                throw KeyFileError(.io, "cannot write \(temporary): \(reason)")
            }
            written += count
        }
        guard fchmod(descriptor, mode) == 0, fsync(descriptor) == 0 else {
            let reason = errorText()
            close(descriptor)
            unlink(temporary)
            throw KeyFileError(.io, "cannot sync \(temporary): \(reason)")
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let reason = errorText()
            unlink(temporary)
            throw KeyFileError(.io, "cannot rename \(temporary) to \(path): \(reason)")
        }
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
