extension AuthorizedKey {
    /// Every key line of an `authorized_keys` file (sshd(8)): blank lines and `#` comments are skipped;
    /// lines sshd would refuse are returned with their 1-based line numbers instead of keys.
    public static func entries(in text: String) -> (keys: [AuthorizedKey], refused: [(line: Int, error: KeyFileError)])
    {
        var keys: [AuthorizedKey] = []
        var refused: [(line: Int, error: KeyFileError)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingWhitespace()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            do {
                keys.append(try AuthorizedKey(line: trimmed))
            } catch {
                refused.append((index + 1, error))
            }
        }
        return (keys, refused)
    }

    /// The entry as one `authorized_keys` line: options, key and comment.
    public var line: String {
        let rendered = options.rendered
        return (rendered.isEmpty ? "" : rendered + " ") + key.openSSHLine + (comment.isEmpty ? "" : " " + comment)
    }
}

extension AuthorizedKeyOptions {
    /// The options in sshd's syntax, comma-separated, values quoted with `"` escaped.
    var rendered: String {
        var parts: [String] = []
        func quoted(_ name: String, _ value: String) {
            var escaped = ""
            for character in value {
                if character == "\"" { escaped.append("\\") }
                escaped.append(character)
            }
            parts.append("\(name)=\"\(escaped)\"")
        }
        let flags: [(Bool, String)] = [
            (certAuthority, "cert-authority"), (restrict, "restrict"), (noPTY, "no-pty"),
            (noPortForwarding, "no-port-forwarding"), (noAgentForwarding, "no-agent-forwarding"),
            (noX11Forwarding, "no-x11-forwarding"), (noUserRC, "no-user-rc"), (pty, "pty"),
            (portForwarding, "port-forwarding"), (agentForwarding, "agent-forwarding"),
            (x11Forwarding, "x11-forwarding"), (userRC, "user-rc"), (noTouchRequired, "no-touch-required"),
            (verifyRequired, "verify-required"),
        ]
        for (set, name) in flags where set { parts.append(name) }
        if let command { quoted("command", command) }
        if !from.isEmpty { quoted("from", from.joined(separator: ",")) }
        for entry in environment { quoted("environment", entry) }
        for entry in permitOpen { quoted("permitopen", entry) }
        for entry in permitListen { quoted("permitlisten", entry) }
        if !principals.isEmpty { quoted("principals", principals.joined(separator: ",")) }
        if let expiryTime { quoted("expiry-time", expiryTime) }
        if let tunnel { quoted("tunnel", tunnel) }
        return parts.joined(separator: ",")
    }
}
