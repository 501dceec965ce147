/// The wildcard patterns of ssh_config(5) "PATTERNS": `*` matches zero or more characters, `?` exactly one,
/// a pattern-list is comma-separated and an entry prefixed with `!` negates it.
///
/// This is the matcher `Host`, `Match` and known_hosts(5) host fields share, with OpenSSH's `match.c` semantics.
public enum HostPattern: Sendable {
    /// The outcome of matching a string against a pattern-list.
    public enum ListMatch: Hashable, Sendable {
        /// No entry matched.
        case noMatch
        /// A positive entry matched and no negated one did.
        case matched
        /// A negated entry (`!pattern`) matched: the list rejects the string outright.
        case negated
    }

    /// Whether `string` matches the single wildcard `pattern` (`*` and `?`, case-sensitive).
    public static func matches(_ string: String, pattern: String) -> Bool {
        matches(Array(string.utf8)[...], Array(pattern.utf8)[...])
    }

    /// Matches `string` against a comma-separated pattern-list, as ssh_config(5) "PATTERNS" describes.
    ///
    /// - Parameter lowercasingPatterns: lowercase each pattern before matching (OpenSSH's `dolower`).
    public static func matchList(_ string: String, patterns: String, lowercasingPatterns: Bool = false) -> ListMatch {
        let subject = Array(string.utf8)[...]
        var result = ListMatch.noMatch
        for var entry in patterns.split(separator: ",", omittingEmptySubsequences: false) {
            let negated = entry.first == "!"
            if negated { entry = entry.dropFirst() }
            var bytes = Array(entry.utf8)
            if lowercasingPatterns {
                bytes = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            }
            if matches(subject, bytes[...]) {
                if negated { return .negated }
                result = .matched
            }
        }
        return result
    }

    /// Matches a host name against a pattern-list the way `Match host` and known_hosts do: the name is
    /// compared case-insensitively.
    public static func matchHostname(_ host: String, patterns: String) -> ListMatch {
        matchList(host.lowercased(), patterns: patterns, lowercasingPatterns: true)
    }

    private static func matches(_ string: ArraySlice<UInt8>, _ pattern: ArraySlice<UInt8>) -> Bool {
        var s = string.startIndex
        var p = pattern.startIndex
        var starP: Int? = nil
        var starS = s
        while s < string.endIndex {
            if p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") {
                starP = p
                p += 1
                starS = s
            } else if p < pattern.endIndex, pattern[p] == UInt8(ascii: "?") || pattern[p] == string[s] {
                p += 1
                s += 1
            } else if let star = starP {
                p = star + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }
}
