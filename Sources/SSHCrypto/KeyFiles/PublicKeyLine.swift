extension SSHPublicKey {
    /// Parses a public key line as `ssh-keygen` writes `.pub` files: `type base64 [comment]`
    /// (sshd(8) AUTHORIZED_KEYS FILE FORMAT without options). The type must match the blob's.
    public init(openSSHLine line: String) throws(KeyFileError) {
        let (key, _) = try Self.parseLine(Substring(line))
        self = key
    }

    /// Parses a line and returns the key with the comment that follows it (empty when none).
    public static func parse(openSSHLine line: String) throws(KeyFileError) -> (key: SSHPublicKey, comment: String) {
        try parseLine(Substring(line))
    }

    /// Reads a `.pub` file.
    public init(path: String) throws(KeyFileError) {
        let bytes = try KeyFileIO.readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self),
            let line = text.split(whereSeparator: \.isNewline).first(where: { !$0.hasPrefix("#") && !$0.isEmpty })
        else { throw KeyFileError(.unsupportedFormat, "\(path) holds no public key line") }
        try self.init(openSSHLine: String(line))
    }

    static func parseLine(_ line: Substring) throws(KeyFileError) -> (key: SSHPublicKey, comment: String) {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        let fields = trimmed.split(
            maxSplits: 2, omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else { throw KeyFileError(.corrupt, "a public key line needs a type and a key") }
        guard let blob = Base64.decode(fields[1].utf8) else {
            throw KeyFileError(.corrupt, "the key is not valid base64")
        }
        let key: SSHPublicKey
        do {
            key = try SSHPublicKey(blob: blob)
        } catch {
            throw KeyFileError(error.code == .unsupportedAlgorithm ? .unsupportedKeyType : .corrupt, error.detail)
        }
        guard key.keyType == fields[0] else {
            throw KeyFileError(.corrupt, "line says \(fields[0]) but the key is \(key.keyType)")
        }
        let comment = fields.count > 2 ? fields[2].trimmingWhitespace() : ""
        return (key, comment)
    }
}
