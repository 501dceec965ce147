/// The flags of one sftp command, read as `getopt(3)` reads them: flags come first, may be grouped (`-la`),
/// and end at the first operand or at `--`.
enum SFTPOptionScanner {
    /// The flags found (in order) and the operands after them; throws OpenSSH's "cmd: Invalid flag -x" for a
    /// flag not in `allowed`. `words[0]` is the command itself.
    static func scan(_ words: [String], allowing allowed: String, command: String)
        throws(SFTPShellLine.FailureMessage) -> (flags: [Character], operands: [String])
    {
        var flags: [Character] = []
        var index = 1
        while index < words.count {
            let word = words[index]
            if word == "--" {
                index += 1
                break
            }
            guard word.hasPrefix("-"), word.count > 1 else { break }
            for flag in word.dropFirst() {
                guard allowed.contains(flag) else {
                    throw SFTPShellLine.FailureMessage(message: "\(command): Invalid flag -\(flag)")
                }
                flags.append(flag)
            }
            index += 1
        }
        return (flags, Array(words[index...]))
    }
}
