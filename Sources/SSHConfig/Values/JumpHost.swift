/// The destination of `ProxyJump` (ssh_config(5)): `[user@]host[:port]` or `ssh://[user@]host[:port]`,
/// the last of a comma-separated list being the first hop.
public struct SSHJumpHost: Hashable, Sendable {
    /// The user for the first hop, when given.
    public var user: String?
    /// The first hop's host name.
    public var host: String
    /// The first hop's port, or -1 when not given.
    public var port: Int
    /// The hops before it, as written (comma-separated), when there are several.
    public var extra: String?

    /// Parses `[user@]host[:port]` or an `ssh://` URI; nil when malformed.
    static func parseHop(_ text: String) -> (user: String?, host: String, port: Int)? {
        var rest = Substring(text)
        if rest.hasPrefix("ssh://") {
            rest = rest.dropFirst(6)
            if rest.last == "/" { rest = rest.dropLast() }
            if rest.contains("/") { return nil }
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            guard at != rest.startIndex else { return nil }
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        var host: Substring
        var portText: Substring?
        if rest.first == "[" {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" || after.first == "/" else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(where: { $0 == ":" || $0 == "/" }) {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { return nil }
        var port = -1
        if let portText, !portText.isEmpty {
            guard let value = ConfigNumber.port(String(portText)), value > 0 else { return nil }
            port = value
        }
        return (user, String(host), port)
    }

    /// Parses a whole `ProxyJump` argument (not `none`); nil when any hop is malformed.
    static func parse(_ text: String) -> SSHJumpHost? {
        var list = Substring(text)
        if let hash = list.firstIndex(of: "#") { list = list[..<hash] }
        while let last = list.last, last == " " || last == "\t" { list = list.dropLast() }
        let hops = list.split(separator: ",", omittingEmptySubsequences: false)
        guard let lastHop = hops.last, let first = parseHop(String(lastHop)) else { return nil }
        for hop in hops.dropLast() where parseHop(String(hop)) == nil { return nil }
        var extra: String?
        if let comma = text.lastIndex(of: ","), comma != text.startIndex { extra = String(text[..<comma]) }
        return SSHJumpHost(user: first.user, host: first.host, port: first.port, extra: extra)
    }

    /// Every hop in the order a client connects through them: the hops in ``extra`` first, this
    /// one last (the one that reaches the destination). Each has no ``extra``.
    public var chain: [SSHJumpHost] {
        let earlier = (extra ?? "").split(separator: ",").compactMap { text -> SSHJumpHost? in
            guard let hop = Self.parseHop(String(text)) else { return nil }
            return SSHJumpHost(user: hop.user, host: hop.host, port: hop.port, extra: nil)
        }
        return earlier + [SSHJumpHost(user: user, host: host, port: port, extra: nil)]
    }

    /// The text `ssh -G` prints after `proxyjump`.
    var rendered: String {
        let numeric = host.contains(":") || host.allSatisfy { "1234567890.".contains($0) }
        var text = extra.map { $0 + "," } ?? ""
        if let user { text += user + "@" }
        text += numeric ? "[\(host)]" : host
        if port > 0 { text += ":\(port)" }
        return text
    }
}
