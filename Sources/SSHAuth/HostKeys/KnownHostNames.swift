import SSHConfig

/// The host field of a known_hosts line (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"): either a comma-separated
/// pattern-list or one hashed name.
public enum KnownHostNames: Sendable, Hashable, CustomStringConvertible {
    /// Host names, addresses and patterns, in file order: `*` and `?` are wildcards, a leading `!` negates,
    /// `[host]:port` names a host on a port other than 22.
    case patterns([String])
    /// One name hidden behind HMAC-SHA1 (`|1|salt|hash`).
    case hashed(HashedHostName)

    /// Reads a host field: hashed when it starts with `|` (hostfile.c `match_maybe_hashed`), a pattern-list
    /// otherwise.
    public init(parsing field: some StringProtocol) throws(KnownHostsError) {
        if field.first == "|" {
            self = .hashed(try HashedHostName(parsing: field))
        } else {
            self = .patterns(String(field).split(separator: ",", omittingEmptySubsequences: false).map(String.init))
        }
    }

    /// Whether the field names `name`, a lowercase host or address already written `[host]:port` where the
    /// port is not 22. A pattern-list matches when a positive pattern matches and no negated one does
    /// (hostfile.c: `match_hostname(...) == 1`, through the ssh_config matcher ``HostPattern``); a hashed
    /// name matches when the HMAC of `name` under its salt is its hash.
    public func matches(_ name: String) -> Bool {
        switch self {
        case .patterns(let patterns):
            HostPattern.matchHostname(name, patterns: patterns.joined(separator: ",")) == .matched
        case .hashed(let hashed):
            hashed.matches(name)
        }
    }

    /// The field as written in the file.
    public var description: String {
        switch self {
        case .patterns(let patterns): patterns.joined(separator: ",")
        case .hashed(let hashed): hashed.description
        }
    }
}
