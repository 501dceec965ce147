/// A line that names a host, with its 1-based line number: what `ssh-keygen -F` prints.
public struct KnownHostsMatch: Sendable, Hashable {
    /// The 1-based line number.
    public let line: Int
    /// The entry on that line.
    public let entry: KnownHostEntry
}
