#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lines `paramiko sftp` reads its commands from: a batch file, or standard input. A line ends at `\n`,
/// which is removed; nothing else is (OpenSSH's sftp keeps a `\r` too).
final class SFTPLineReader {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var buffer: [UInt8] = []
    private var reachedEnd = false

    /// Lines from `descriptor`, closed at the end when `owning`.
    init(descriptor: Int32, owning: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = owning
    }

    /// Lines from standard input.
    static func standardInput() -> SFTPLineReader {
        SFTPLineReader(descriptor: STDIN_FILENO, owning: false)
    }

    /// Lines from the file at `path`; throws the errno when it cannot be opened.
    static func file(_ path: String) throws(SFTPLocalError) -> SFTPLineReader {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SFTPLocalError(code: errno) }
        return SFTPLineReader(descriptor: descriptor, owning: true)
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    /// The next line without its `\n`, or nil at the end of the input.
    func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            if reachedEnd {
                guard !buffer.isEmpty else { return nil }
                defer { buffer.removeAll() }
                return String(decoding: buffer, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer += chunk[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                reachedEnd = true
            }
        }
    }
}
