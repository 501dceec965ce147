/// A known_hosts line that ``HostKeys`` kept verbatim but could not use, with its 1-based line number.
public struct KnownHostsLineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The 1-based line number in the file as it is now.
    public let line: Int
    /// Why the line was not used.
    public let error: KnownHostsError

    /// Pairs a line number with the reason.
    public init(line: Int, error: KnownHostsError) {
        self.line = line
        self.error = error
    }

    /// `line N: reason`.
    public var description: String { "line \(line): \(error)" }
}
