/// One `authorized_keys` line (sshd(8), AUTHORIZED_KEYS FILE FORMAT): options, a key and a comment.
public struct AuthorizedKey: Sendable, Hashable {
    /// The options before the key.
    public var options: AuthorizedKeyOptions
    /// The key (or, with `cert-authority`, the CA key).
    public var key: SSHPublicKey
    /// The text after the key.
    public var comment: String

    /// Parses one line. Blank lines and `#` comments are not keys and throw `.unsupportedFormat`;
    /// an unknown or malformed option throws `.corrupt`, as sshd refuses such a line.
    public init(line: String) throws(KeyFileError) {
        let text = Substring(line).drop(while: { $0 == " " || $0 == "\t" })
        guard !text.isEmpty, !text.hasPrefix("#") else { throw KeyFileError(.unsupportedFormat, "not a key line") }
        if let first = text.split(separator: " ", maxSplits: 1).first, Self.looksLikeKeyType(first) {
            options = AuthorizedKeyOptions()
            (key, comment) = try SSHPublicKey.parseLine(text)
        } else {
            var cursor = text[...]
            options = try AuthorizedKeyOptions.parse(&cursor)
            (key, comment) = try SSHPublicKey.parseLine(cursor)
        }
    }

    private static func looksLikeKeyType(_ token: Substring) -> Bool {
        token.hasPrefix("ssh-") || token.hasPrefix("ecdsa-sha2-") || token.hasPrefix("sk-")
            || token.hasSuffix(PublicKeyMaterial.certificateSuffix)
    }
}

/// The options that may precede a key in `authorized_keys` (sshd(8)), parsed into typed values.
public struct AuthorizedKeyOptions: Sendable, Hashable {
    /// `command="…"`: the only command the key may run.
    public var command: String?
    /// `from="pattern-list"`: client address or host-name patterns.
    public var from: [String] = []
    /// `environment="NAME=value"`, in order.
    public var environment: [String] = []
    /// `permitopen="host:port"`, in order.
    public var permitOpen: [String] = []
    /// `permitlisten="[host:]port"`, in order.
    public var permitListen: [String] = []
    /// `principals="name,…"` (with `cert-authority`).
    public var principals: [String] = []
    /// `expiry-time="YYYYMMDD[HHMM[SS]][Z]"`, as written.
    public var expiryTime: String?
    /// `tunnel="n"`.
    public var tunnel: String?
    /// `cert-authority`: the key is a CA trusted for user certificates.
    public var certAuthority = false
    /// `restrict`: everything off unless re-enabled below.
    public var restrict = false
    /// `no-pty`.
    public var noPTY = false
    /// `no-port-forwarding`.
    public var noPortForwarding = false
    /// `no-agent-forwarding`.
    public var noAgentForwarding = false
    /// `no-x11-forwarding`.
    public var noX11Forwarding = false
    /// `no-user-rc`.
    public var noUserRC = false
    /// `pty`: re-enables a PTY after `restrict`.
    public var pty = false
    /// `port-forwarding`: re-enabled after `restrict`.
    public var portForwarding = false
    /// `agent-forwarding`: re-enabled after `restrict`.
    public var agentForwarding = false
    /// `x11-forwarding`: re-enabled after `restrict`.
    public var x11Forwarding = false
    /// `user-rc`: re-enabled after `restrict`.
    public var userRC = false
    /// `no-touch-required`: FIDO signatures need not assert user presence.
    public var noTouchRequired = false
    /// `verify-required`: FIDO signatures must assert user verification.
    public var verifyRequired = false

    /// No options.
    public init() {}

    /// Parses the comma-separated option list at the start of `text`, leaving `text` at the key.
    static func parse(_ text: inout Substring) throws(KeyFileError) -> AuthorizedKeyOptions {
        var options = AuthorizedKeyOptions()
        while true {
            let name = String(text.prefix(while: { $0.isLetter || $0.isNumber || $0 == "-" })).lowercased()
            guard !name.isEmpty else { throw KeyFileError(.corrupt, "expected an option at \(text.prefix(20))") }
            text = text.dropFirst(name.count)
            var value: String?
            if text.first == "=" {
                text = text.dropFirst()
                value = try readQuoted(&text)
            }
            try options.apply(name, value)
            if text.first == "," {
                text = text.dropFirst()
                continue
            }
            guard let next = text.first, next == " " || next == "\t" else {
                throw KeyFileError(.corrupt, "options must be followed by a space and the key")
            }
            text = text.drop(while: { $0 == " " || $0 == "\t" })
            return options
        }
    }

    private static func readQuoted(_ text: inout Substring) throws(KeyFileError) -> String {
        guard text.first == "\"" else { throw KeyFileError(.corrupt, "option values must be quoted") }
        text = text.dropFirst()
        var value = ""
        while let character = text.first {
            text = text.dropFirst()
            if character == "\\", text.first == "\"" {
                value.append("\"")
                text = text.dropFirst()
            } else if character == "\"" {
                return value
            } else {
                value.append(character)
            }
        }
        throw KeyFileError(.corrupt, "unterminated quoted option value")
    }

    private mutating func apply(_ name: String, _ value: String?) throws(KeyFileError) {
        func required() throws(KeyFileError) -> String {
            guard let value else { throw KeyFileError(.corrupt, "option \(name) needs a value") }
            return value
        }
        func list() throws(KeyFileError) -> [String] {
            try required().split(separator: ",").map { String($0) }
        }
        func flag() throws(KeyFileError) -> Bool {
            guard value == nil else { throw KeyFileError(.corrupt, "option \(name) takes no value") }
            return true
        }
        switch name {
        case "command": command = try required()
        case "from": from = try list()
        case "environment":
            let entry = try required()
            guard entry.contains("=") else { throw KeyFileError(.corrupt, "environment needs NAME=value") }
            environment.append(entry)
        case "permitopen": permitOpen.append(try required())
        case "permitlisten": permitListen.append(try required())
        case "principals": principals = try list()
        case "expiry-time":
            let time = try required()
            guard [8, 12, 14].contains(time.filter(\.isNumber).count) else {
                throw KeyFileError(.corrupt, "expiry-time must be YYYYMMDD[HHMM[SS]]")
            }
            expiryTime = time
        case "tunnel": tunnel = try required()
        case "cert-authority": certAuthority = try flag()
        case "restrict": restrict = try flag()
        case "no-pty": noPTY = try flag()
        case "no-port-forwarding": noPortForwarding = try flag()
        case "no-agent-forwarding": noAgentForwarding = try flag()
        case "no-x11-forwarding": noX11Forwarding = try flag()
        case "no-user-rc": noUserRC = try flag()
        case "pty": pty = try flag()
        case "port-forwarding": portForwarding = try flag()
        case "agent-forwarding": agentForwarding = try flag()
        case "x11-forwarding": x11Forwarding = try flag()
        case "user-rc": userRC = try flag()
        case "no-touch-required": noTouchRequired = try flag()
        case "verify-required": verifyRequired = try flag()
        default: throw KeyFileError(.corrupt, "unknown authorized_keys option \(name.debugDescription)")
        }
    }
}
