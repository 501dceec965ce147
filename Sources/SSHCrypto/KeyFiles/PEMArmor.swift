/// Text armor: `-----BEGIN LABEL-----`, optional RFC 1421 headers (`Proc-Type`, `DEK-Info`), base64
/// body, `-----END LABEL-----` (RFC 7468 §2).
struct PEMArmor {
    let label: String
    let headers: [(name: String, value: String)]
    let body: [UInt8]

    /// Finds the first armored block in `text`; nil when there is none, throws `.corrupt` when the
    /// block is unterminated or its body is not base64.
    static func first(in text: String) throws(KeyFileError) -> PEMArmor? {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.trimmingSuffixWhitespace() }
        guard let start = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            return nil
        }
        let label = String(lines[start].dropFirst("-----BEGIN ".count).dropLast(5))
        let end = "-----END \(label)-----"
        guard let stop = lines[(start + 1)...].firstIndex(where: { $0 == end }) else {
            throw KeyFileError(.corrupt, "no \(end) line")
        }
        var content = lines[(start + 1)..<stop]
        var headers: [(name: String, value: String)] = []
        if content.contains(where: { $0.contains(":") }) {
            while let line = content.first, let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingWhitespace()))
                content = content.dropFirst()
            }
        }
        guard let body = Base64.decode(content.joined().utf8), !body.isEmpty else {
            throw KeyFileError(.corrupt, "the \(label) body is not valid base64")
        }
        return PEMArmor(label: label, headers: headers, body: body)
    }

    /// Armors `body` with 64-column lines (70 for OpenSSH keys, as ssh-keygen writes them).
    static func encode(label: String, body: [UInt8], lineLength: Int = 64) -> String {
        let encoded = Array(Base64.encode(body).utf8)
        var text = "-----BEGIN \(label)-----\n"
        var index = 0
        while index < encoded.count {
            let end = min(index + lineLength, encoded.count)
            text += String(decoding: encoded[index..<end], as: UTF8.self) + "\n"
            index = end
        }
        return text + "-----END \(label)-----\n"
    }
}

extension StringProtocol {
    /// The text without trailing white space.
    package func trimmingSuffixWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }

    /// The text without leading or trailing white space.
    package func trimmingWhitespace() -> String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        return text.trimmingSuffixWhitespace()
    }
}
