/// A known_hosts file held line by line: the Swift shape of Paramiko's `HostKeys`, with OpenSSH's rules
/// (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT", OpenSSH hostfile.c).
///
/// Every line is kept with its exact bytes: comments, blank lines and lines that cannot be parsed survive a
/// round trip, in order. Lines hostfile.c would skip with a warning are skipped for lookups too and listed in
/// ``lineErrors``. Look a host up with ``check(_:host:port:ipAddress:proxied:now:)``; change the file with
/// ``add(_:host:port:ipAddress:hashed:comment:using:)``, ``remove(host:port:)`` and
/// ``replace(host:port:ipAddress:with:hashed:using:)``; read and write it with ``init(contentsOfFile:)`` and
/// ``write(toFile:)``.
public struct HostKeys: Sendable, Hashable {
    /// The longest line read as an entry, in bytes; a longer line is kept verbatim and reported as
    /// ``KnownHostsError/lineTooLong(length:)``. The largest real entries, RSA-16384 certificates signed
    /// by RSA-16384 CAs with long host lists, stay well below it.
    public static let maximumLineLength = 65_536
    /// The largest file read, in bytes (about 40,000 RSA-3072 entries); a larger file is refused unread.
    public static let maximumFileSize = 16 << 20

    /// The lines in file order.
    public internal(set) var lines: [KnownHostsLine]
    /// Whether the last line ends with a line feed (true for an empty file, so additions start a line).
    var endsWithLineFeed: Bool

    /// An empty file.
    public init() {
        lines = []
        endsWithLineFeed = true
    }

    /// Reads a file's contents. Never fails: lines that cannot be used are kept and listed in ``lineErrors``.
    public init(bytes: some Collection<UInt8>) {
        var pieces = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        endsWithLineFeed = pieces.last?.isEmpty ?? true
        if endsWithLineFeed, !pieces.isEmpty { pieces.removeLast() }
        lines = pieces.map { KnownHostsLine(bytes: Array($0)) }
    }

    /// Reads known_hosts text.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Every usable entry in file order.
    public var entries: [KnownHostEntry] { lines.compactMap(\.entry) }

    /// The lines kept verbatim but not used, with their 1-based line numbers.
    public var lineErrors: [KnownHostsLineError] {
        lines.enumerated().compactMap { index, line in
            line.error.map { KnownHostsLineError(line: index + 1, error: $0) }
        }
    }

    /// The file's contents: every line's bytes, each followed by a line feed (the last one only when the file
    /// read had one there).
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(lines.reduce(0) { $0 + $1.bytes.count + 1 })
        for (index, line) in lines.enumerated() {
            output += line.bytes
            if index < lines.count - 1 || endsWithLineFeed { output.append(UInt8(ascii: "\n")) }
        }
        return output
    }

    /// The file's contents as text; bytes that are not UTF-8 show as U+FFFD (``bytes`` keeps them).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
