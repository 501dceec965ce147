/// The words of a `-D sftp_server_command`, split as OpenSSH's sftp splits it (`argv_split` in misc.c, which
/// is no shell): at spaces and tabs, with `'…'` and `"…"` quoting and `\'`, `\"`, `\\` and `\ ` escapes; a
/// `#` where a word would start ends the line.
enum SFTPServerCommandLine {
    /// Why a command line cannot be split.
    enum Failure: Error, CustomStringConvertible {
        /// A quote is not closed.
        case unterminatedQuote

        var description: String { "invalid format" }
    }

    /// The words of `line`.
    static func split(_ line: String) throws(Failure) -> [String] {
        let input = Array(line.utf8)
        var words: [String] = []
        var index = 0
        func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while index < input.count {
            if isBlank(input[index]) {
                index += 1
                continue
            }
            if input[index] == UInt8(ascii: "#") { break }
            var word: [UInt8] = []
            var quote: UInt8?
            while index < input.count {
                let byte = input[index]
                if byte == UInt8(ascii: "\\"), index + 1 < input.count {
                    let next = input[index + 1]
                    if next == UInt8(ascii: "'") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\")
                        || (quote == nil && next == UInt8(ascii: " "))
                    {
                        index += 1
                        word.append(next)
                    } else {
                        word.append(byte)
                    }
                } else if quote == nil && isBlank(byte) {
                    break
                } else if quote == nil && (byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"")) {
                    quote = byte
                } else if let open = quote, byte == open {
                    quote = nil
                } else {
                    word.append(byte)
                }
                index += 1
            }
            if quote != nil { throw .unterminatedQuote }
            words.append(String(decoding: word, as: UTF8.self))
        }
        return words
    }
}
