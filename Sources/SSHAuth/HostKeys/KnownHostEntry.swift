import SSHCrypto

/// One host key line of a known_hosts file (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
/// `[marker] hostnames keytype base64-key [comment]`.
public struct KnownHostEntry: Sendable, Hashable {
    /// `@cert-authority`, `@revoked`, or nil for a plain host key.
    public let marker: KnownHostMarker?
    /// The host names, patterns or hashed name the line applies to.
    public let names: KnownHostNames
    /// The host key, CA key or revoked key.
    public let key: SSHPublicKey
    /// The text after the key, without surrounding white space; empty when none.
    public let comment: String

    /// Builds an entry to add to a file. Patterns must be non-empty and hold no white space, comma or line
    /// break (hashed names are always writable); the comment must be one line.
    public init(
        marker: KnownHostMarker? = nil, names: KnownHostNames, key: SSHPublicKey, comment: String = ""
    ) throws(KnownHostsError) {
        if case .patterns(let patterns) = names {
            guard !patterns.isEmpty else { throw .unwritableField("") }
            for pattern in patterns where !Self.isWritableName(pattern) { throw .unwritableField(pattern) }
            if let first = patterns.first, first.hasPrefix("|") || first.hasPrefix("@") || first.hasPrefix("#") {
                throw .unwritableField(first)
            }
        }
        guard !comment.contains(where: \.isNewline) else { throw .unwritableField(comment) }
        self.marker = marker
        self.names = names
        self.key = key
        self.comment = comment.trimmingWhitespace()
    }

    /// Parses one line the way hostfile.c `hostkeys_foreach` does: leading blanks are skipped, an optional
    /// marker, the host field up to the next blank, then the key as `keytype base64`, then an optional comment.
    /// Blank lines and comments throw ``KnownHostsError/notAnEntry``.
    public init(line: String) throws(KnownHostsError) {
        var rest = Substring(line)
        if rest.last == "\r" { rest = rest.dropLast() }
        rest = rest.drop(while: Self.isBlank)
        guard let first = rest.first, first != "#" else { throw .notAnEntry }
        var marker: KnownHostMarker? = nil
        if first == "@" {
            let word = Self.nextWord(&rest)
            guard let known = KnownHostMarker(rawValue: String(word)), !rest.isEmpty, rest.first != "@" else {
                throw .invalidMarker(String(word))
            }
            marker = known
        }
        let hosts = Self.nextWord(&rest)
        guard !rest.isEmpty, rest.first != "#" else { throw .missingKey }
        let names = try KnownHostNames(parsing: hosts)
        let type = Self.nextWord(&rest)
        let encoded = Self.nextWord(&rest)
        guard !encoded.isEmpty else { throw .missingKey }
        guard let blob = Base64.decode(encoded.utf8) else { throw .invalidBase64 }
        let key: SSHPublicKey
        do {
            key = try SSHPublicKey(blob: blob)
        } catch {
            throw error.code == .unsupportedAlgorithm ? .unknownKeyType(String(type)) : .invalidKey(error.detail)
        }
        guard key.keyType == type else { throw .keyTypeMismatch(declared: String(type), actual: key.keyType) }
        self.marker = marker
        self.names = names
        self.key = key
        self.comment = rest.trimmingWhitespace()
    }

    /// Whether the line applies to `name` (see ``KnownHostNames/matches(_:)``).
    public func matches(_ name: String) -> Bool { names.matches(name) }

    /// The key to compare with: a certificate written on a line stands for the key it certifies, as
    /// OpenSSH's `sshkey_equal_public` compares only the public parts.
    var plainKey: SSHPublicKey { key.certificate?.key ?? key }

    /// The entry as one line, without a line break: `[marker ]names keytype base64[ comment]`.
    public var line: String {
        var text = marker.map { $0.rawValue + " " } ?? ""
        text += names.description + " " + key.openSSHLine
        if !comment.isEmpty { text += " " + comment }
        return text
    }

    /// Whether a host name or pattern can stand in a host field.
    static func isWritableName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains(where: { $0 == "," || $0.isWhitespace || $0.isNewline })
    }

    private static func isBlank(_ character: Character) -> Bool { character == " " || character == "\t" }

    /// Takes the next run of non-blank characters and the blanks after it.
    private static func nextWord(_ text: inout Substring) -> Substring {
        let word = text.prefix(while: { !isBlank($0) })
        text = text[word.endIndex...].drop(while: isBlank)
        return word
    }
}
