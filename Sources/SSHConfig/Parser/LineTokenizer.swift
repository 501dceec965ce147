/// One line of an ssh_config(5) file split into its keyword and the text after it.
///
/// ssh_config(5): "Configuration options may be separated by whitespace or optional whitespace and exactly one
/// `=`; the latter format is useful to avoid the need to quote whitespace". Keywords are case-insensitive.
struct RawLine: Sendable, Hashable {
    /// The 1-based line number.
    var number: Int
    /// The keyword, lowercased.
    var keyword: String
    /// The text after the keyword and its separator, trailing whitespace removed (empty when missing).
    var rest: String
}

/// Splits lines the way OpenSSH's `readconf.c` does (`strdelim` for the keyword, `argv_split` for arguments).
enum LineTokenizer {
    private static let whitespace: Set<UInt8> = [0x20, 0x09, 0x0D, 0x0A]
    private static let quote = UInt8(ascii: "\"")
    private static let equals = UInt8(ascii: "=")

    /// Returns the keyword and the rest of a line, or nil for a blank line or a comment.
    static func split(line: String, number: Int) -> RawLine? {
        var bytes = Array(line.utf8)
        while let last = bytes.last, whitespace.contains(last) || last == 0x0C { bytes.removeLast() }
        var index = 0
        guard var keyword = nextKeyword(bytes, &index) else { return nil }
        if keyword.isEmpty {
            guard let second = nextKeyword(bytes, &index) else { return nil }
            keyword = second
        }
        if keyword.isEmpty || keyword.first == UInt8(ascii: "#") { return nil }
        while index < bytes.count, whitespace.contains(bytes[index]) { index += 1 }
        let rest = index < bytes.count ? String(decoding: bytes[index...], as: UTF8.self) : ""
        return RawLine(number: number, keyword: String(decoding: keyword, as: UTF8.self).lowercased(), rest: rest)
    }

    /// OpenSSH's `strdelim` with `=` splitting; `index` is nil-equivalent (past the end) when exhausted.
    private static func nextKeyword(_ bytes: [UInt8], _ index: inout Int) -> [UInt8]? {
        guard index <= bytes.count else { return nil }
        let start = index
        guard let stop = bytes[start...].firstIndex(where: { whitespace.contains($0) || $0 == quote || $0 == equals })
        else {
            index = bytes.count + 1
            return Array(bytes[start...])
        }
        if bytes[stop] == quote {
            var unquoted = Array(bytes[start..<stop])
            guard let close = bytes[(stop + 1)...].firstIndex(of: quote) else {
                index = bytes.count + 1
                return nil
            }
            unquoted += bytes[(stop + 1)..<close]
            index = close + 1
            while index < bytes.count, whitespace.contains(bytes[index]) { index += 1 }
            return unquoted
        }
        let token = Array(bytes[start..<stop])
        let sawEquals = bytes[stop] == equals
        index = stop + 1
        while index < bytes.count, whitespace.contains(bytes[index]) { index += 1 }
        if !sawEquals, index < bytes.count, bytes[index] == equals {
            index += 1
            while index < bytes.count, whitespace.contains(bytes[index]) { index += 1 }
        }
        return token
    }

    /// Splits `Match` criteria the way OpenSSH's `strdelim` does: on whitespace or one `=`, double quotes
    /// grouping. Stops at the end, at an unterminated quote or at an empty token.
    static func delimitedWords(_ text: String) -> [String] {
        let bytes = Array(text.utf8)
        var index = 0
        var words: [String] = []
        while let word = nextKeyword(bytes, &index), !word.isEmpty {
            words.append(String(decoding: word, as: UTF8.self))
        }
        return words
    }

    /// Splits arguments honouring single and double quotes and backslash escapes, stopping at a `#` that starts
    /// an argument. Returns nil on an unterminated quote.
    static func arguments(_ text: String) -> [String]? {
        let s = Array(text.utf8)
        var args: [String] = []
        var i = 0
        while i < s.count {
            if s[i] == 0x20 || s[i] == 0x09 {
                i += 1
                continue
            }
            if s[i] == UInt8(ascii: "#") { break }
            var quoteChar: UInt8 = 0
            var arg: [UInt8] = []
            while i < s.count {
                let c = s[i]
                if c == UInt8(ascii: "\\") {
                    let next: UInt8? = i + 1 < s.count ? s[i + 1] : nil
                    if let next,
                        next == UInt8(ascii: "'") || next == quote || next == UInt8(ascii: "\\")
                            || (quoteChar == 0 && next == 0x20)
                    {
                        i += 1
                        arg.append(next)
                    } else {
                        arg.append(c)
                    }
                } else if quoteChar == 0 && (c == 0x20 || c == 0x09) {
                    break
                } else if quoteChar == 0 && (c == quote || c == UInt8(ascii: "'")) {
                    quoteChar = c
                } else if quoteChar != 0 && c == quoteChar {
                    quoteChar = 0
                } else {
                    arg.append(c)
                }
                i += 1
            }
            if i >= s.count && quoteChar != 0 { return nil }
            args.append(String(decoding: arg, as: UTF8.self))
        }
        return args
    }
}
