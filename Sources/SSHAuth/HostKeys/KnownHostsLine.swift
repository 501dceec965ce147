/// One line of a known_hosts file: its exact bytes and what they hold.
///
/// The bytes are kept as read (a trailing carriage return included, the line feed excluded), so a file
/// written back holds every line ``HostKeys`` did not change byte for byte.
public struct KnownHostsLine: Sendable, Hashable {
    /// What a line holds.
    public enum Content: Sendable, Hashable {
        /// Empty or only blanks.
        case blank
        /// A comment: the first non-blank character is `#`.
        case comment
        /// A host key, `@cert-authority` or `@revoked` entry.
        case entry(KnownHostEntry)
        /// A line hostfile.c would skip as invalid, kept verbatim.
        case invalid(KnownHostsError)
    }

    /// The line's bytes without its line feed.
    public let bytes: [UInt8]
    /// What the bytes hold.
    public let content: Content

    /// Reads one line (without its line feed), never failing: what cannot be parsed is `.invalid`.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        content = Self.parse(bytes)
    }

    /// A new line for `entry`, rendered as ``KnownHostEntry/line``.
    public init(entry: KnownHostEntry) {
        bytes = Array(entry.line.utf8)
        content = .entry(entry)
    }

    /// The entry, when the line holds one.
    public var entry: KnownHostEntry? {
        if case .entry(let entry) = content { return entry }
        return nil
    }

    /// Why the line is unusable, when it is.
    public var error: KnownHostsError? {
        if case .invalid(let error) = content { return error }
        return nil
    }

    /// The line as text; bytes that are not UTF-8 show as U+FFFD.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private static func parse(_ bytes: [UInt8]) -> Content {
        guard bytes.count <= HostKeys.maximumLineLength else { return .invalid(.lineTooLong(length: bytes.count)) }
        let isBlank: (UInt8) -> Bool = {
            $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r")
        }
        guard let first = bytes.first(where: { !isBlank($0) }) else { return .blank }
        if first == UInt8(ascii: "#") { return .comment }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .invalid(.notUTF8) }
        do {
            return .entry(try KnownHostEntry(line: text))
        } catch {
            return .invalid(error)
        }
    }
}
