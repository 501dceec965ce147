/// Splits an sftp command line into words with the quoting of OpenSSH's sftp (`makeargv` in sftp.c): words
/// part at white space, `'…'` and `"…"` quote, a backslash escapes, and `#` outside quotes starts a comment.
///
/// Words stay ready for globbing: a wildcard (`*`, `?`, `[`) written inside quotes, or escaped with a
/// backslash, comes out escaped (`\*`), so that only bare wildcards expand. Commands that take a path
/// literally undo that with ``unescapeGlob(_:)``.
enum SFTPShellTokenizer {
    /// Why a line could not be split; ``description`` is OpenSSH's wording.
    enum Failure: Error, CustomStringConvertible {
        case unterminatedQuote, tooManyArguments, tooLong

        var description: String {
            switch self {
            case .unterminatedQuote: "Unterminated quoted argument"
            case .tooManyArguments: "Too many arguments."
            case .tooLong: "string too long"
            }
        }
    }

    /// The most words a line may hold (OpenSSH's `MAXARGS`).
    static let maximumWords = 128
    /// The longest line accepted, in bytes (OpenSSH's `MAXARGLEN` less its terminator).
    static let maximumLength = 8191

    /// Where the scan stands: between words, inside quotes, or in an unquoted word.
    private enum State { case start, singleQuoted, doubleQuoted, unquoted }

    /// The words of `line`.
    static func split(_ line: String) throws(Failure) -> [String] {
        let input = Array(line.utf8)
        guard input.count <= maximumLength else { throw .tooLong }
        let backslash = UInt8(ascii: "\\")
        var words: [[UInt8]] = []
        var word: [UInt8] = []
        var state = State.start
        var index = 0
        func byte(at position: Int) -> UInt8? { position < input.count ? input[position] : nil }
        func isWildcard(_ value: UInt8?) -> Bool {
            value == UInt8(ascii: "?") || value == UInt8(ascii: "[") || value == UInt8(ascii: "*")
        }
        func finishWord() {
            words.append(word)
            word = []
            state = .start
        }
        scan: while true {
            guard words.count <= maximumWords else { throw .tooManyArguments }
            guard let character = byte(at: index) else {
                if state == .singleQuoted || state == .doubleQuoted { throw .unterminatedQuote }
                if state == .unquoted { finishWord() }
                break scan
            }
            let quoted = state == .singleQuoted || state == .doubleQuoted
            switch character {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0B, 0x0C:
                if state == .unquoted {
                    finishWord()
                } else if state != .start {
                    word.append(character)
                }
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                let quote: State = character == UInt8(ascii: "\"") ? .doubleQuoted : .singleQuoted
                if state == .start || state == .unquoted {
                    state = quote
                } else if state == quote {
                    state = .unquoted
                } else {
                    word.append(character)
                }
            case backslash:
                let next = byte(at: index + 1)
                if quoted {
                    let quote = state == .singleQuoted ? UInt8(ascii: "'") : UInt8(ascii: "\"")
                    if next == quote {
                        index += 1
                        word.append(quote)
                    } else if isWildcard(next), let next {
                        // A backslash before a quoted wildcard: both stay literal through the glob.
                        index += 1
                        word += [backslash, backslash, backslash, next]
                    } else if let next {
                        index += 1
                        word += [backslash, next]
                    } else {
                        word.append(backslash)
                    }
                } else {
                    if state == .start { state = .unquoted }
                    if isWildcard(next) || next == backslash, let next {
                        // Kept escaped for the glob, which removes one level.
                        index += 1
                        word += [backslash, next]
                    } else if let next {
                        index += 1
                        word.append(next)
                    } else {
                        word.append(backslash)
                    }
                }
            case UInt8(ascii: "#") where !quoted:
                if state == .unquoted { finishWord() }
                break scan
            default:
                if state == .start { state = .unquoted }
                if quoted && isWildcard(character) { word.append(backslash) }
                word.append(character)
            }
            index += 1
        }
        return words.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `word` with the glob escapes that ``split(_:)`` added removed, for a path that is not globbed
    /// (`undo_glob_escape` in sftp.c): `\*`, `\?`, `\[` and `\\` lose their backslash, other escapes stay.
    static func unescapeGlob(_ word: String) -> String {
        let input = Array(word.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let character = input[index]
            guard character == UInt8(ascii: "\\") else {
                output.append(character)
                index += 1
                continue
            }
            guard index + 1 < input.count else {
                output.append(character)
                break
            }
            let next = input[index + 1]
            switch next {
            case UInt8(ascii: "?"), UInt8(ascii: "["), UInt8(ascii: "*"), UInt8(ascii: "\\"):
                output.append(next)
            default:
                output += [character, next]
            }
            index += 2
        }
        return String(decoding: output, as: UTF8.self)
    }
}
