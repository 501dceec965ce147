/// The destination argument of `paramiko sftp`, read as OpenSSH's sftp reads it: `[user@]host[:path]`, or
/// `sftp://[user@]host[:port][/path]`. A host may be an IPv6 address in brackets.
struct SFTPDestination: Equatable, Sendable {
    /// `host` or `user@host`, as the SSH connection takes it.
    var userAndHost: String
    /// The port of an `sftp://` URI.
    var port: Int?
    /// The remote path after the host: a directory to start in, or a file to fetch.
    var path: String?

    /// Parses `text`; nil when it names no host.
    init?(_ text: String) {
        if text.lowercased().hasPrefix("sftp://") {
            let rest = text.dropFirst("sftp://".count)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            var authority = rest[..<slash]
            let path = rest[slash...].dropFirst()
            self.path = path.isEmpty ? nil : String(path)
            if let colon = Self.separatingColon(authority) {
                guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                    return nil
                }
                self.port = port
                authority = authority[..<colon]
            }
            userAndHost = Self.unbracketed(authority)
        } else if let colon = Self.separatingColon(Substring(text)) {
            userAndHost = Self.unbracketed(text[..<colon])
            let path = text[text.index(after: colon)...]
            self.path = path.isEmpty ? nil : String(path)
        } else {
            userAndHost = Self.unbracketed(Substring(text))
        }
        let host = userAndHost.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
        guard !host.isEmpty else { return nil }
    }

    /// The first `:` outside brackets, which separates the host from what follows (OpenSSH's `colon`).
    private static func separatingColon(_ text: Substring) -> Substring.Index? {
        var inBrackets = false
        for index in text.indices {
            switch text[index] {
            case "[": inBrackets = true
            case "]": inBrackets = false
            case ":" where !inBrackets: return index
            case "/" where !inBrackets: return nil
            default: continue
            }
        }
        return nil
    }

    /// `user@[::1]` as `user@::1`.
    private static func unbracketed(_ text: Substring) -> String {
        guard let open = text.firstIndex(of: "["), let close = text.lastIndex(of: "]"), open < close else {
            return String(text)
        }
        return String(text[..<open]) + String(text[text.index(after: open)..<close])
    }
}
