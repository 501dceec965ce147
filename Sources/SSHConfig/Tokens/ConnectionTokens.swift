#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The values of the `%` tokens once a host is resolved (ssh_config(5) "TOKENS"): what OpenSSH 9.2 calls
/// `DEFAULT_CLIENT_PERCENT_EXPAND_ARGS`.
public struct SSHConnectionTokens: Sendable, Hashable {
    /// `%C`: SHA-1 of `%l%h%p%r`, in hex.
    public var connectionHash: String
    /// `%L`: the local host name up to the first dot.
    public var shortLocalHostname: String
    /// `%i`: the local user id.
    public var userID: String
    /// `%k`: `HostKeyAlias`, or the host name as given.
    public var hostKeyAlias: String
    /// `%l`: the local host name.
    public var localHostname: String
    /// `%n`: the host name as given on the command line.
    public var originalHost: String
    /// `%p`: the remote port.
    public var port: String
    /// `%d`: the local user's home directory.
    public var homeDirectory: String
    /// `%h`: the remote host name after `HostName` and canonicalisation.
    public var host: String
    /// `%r`: the remote user name.
    public var remoteUser: String
    /// `%u`: the local user name.
    public var localUser: String
    /// The first `ProxyJump` hop, or empty. OpenSSH 9.2 has no `%j` token in configuration keywords (later
    /// releases name it so); pass `["j": jumpHost]` as extra tokens to expand it.
    public var jumpHost: String = ""

    /// The token table for `SSHTokenExpander`.
    public var table: [Character: String] {
        [
            "C": connectionHash, "L": shortLocalHostname, "i": userID, "k": hostKeyAlias, "l": localHostname,
            "n": originalHost, "p": port, "d": homeDirectory, "h": host, "r": remoteUser, "u": localUser,
        ]
    }

    /// The table plus the tokens only some keywords take: `%T` (`LocalCommand`: the tunnel interface) and
    /// `%f`, `%H`, `%I`, `%K`, `%t` (`KnownHostsCommand`: key fingerprint, known_hosts name, reason, key,
    /// key type).
    public func table(adding extra: [Character: String]) -> [Character: String] {
        table.merging(extra) { _, new in new }
    }
}

/// `~` and `~user` at the start of a path (OpenSSH's `tilde_expand_filename`).
enum TildeExpansion {
    static func expand(_ path: String, home: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let afterTilde = path.dropFirst()
        let userPart = afterTilde.prefix { $0 != "/" }
        let rest = afterTilde.dropFirst(userPart.count)
        var directory = home
        if !userPart.isEmpty {
            guard let entry = getpwnam(String(userPart)) else { return path }
            directory = String(cString: entry.pointee.pw_dir)
        }
        if rest.isEmpty { return directory }
        let trimmed = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return trimmed + rest
    }
}
