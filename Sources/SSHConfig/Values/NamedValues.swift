/// Word tables for `IPQoS`, `LogLevel`, `SyslogFacility` and `FingerprintHash` (ssh_config(5)).
enum NamedValues {
    /// `IPQoS` words and their TOS/DSCP codepoints, in OpenSSH's order.
    static let ipQoS: [(String, Int)] = [
        ("none", Int(Int32.max)), ("af11", 0x28), ("af12", 0x30), ("af13", 0x38), ("af21", 0x48),
        ("af22", 0x50), ("af23", 0x58), ("af31", 0x68), ("af32", 0x70), ("af33", 0x78), ("af41", 0x88),
        ("af42", 0x90), ("af43", 0x98), ("cs0", 0x00), ("cs1", 0x20), ("cs2", 0x40), ("cs3", 0x60),
        ("cs4", 0x80), ("cs5", 0xa0), ("cs6", 0xc0), ("cs7", 0xe0), ("ef", 0xb8), ("le", 0x04),
        ("lowdelay", 0x10), ("throughput", 0x08), ("reliability", 0x04),
    ]

    /// Parses an `IPQoS` word or number (0...255).
    static func ipQoSValue(_ text: String) -> Int? {
        let lowered = text.lowercased()
        if let entry = ipQoS.first(where: { $0.0 == lowered }) { return entry.1 }
        guard let value = cNumber(text), (0...255).contains(value) else { return nil }
        return value
    }

    /// Prints a codepoint the way OpenSSH's `iptos2str` does.
    static func ipQoSName(_ value: Int) -> String {
        if let entry = ipQoS.first(where: { $0.1 == value }) { return entry.0 }
        let hex = String(value, radix: 16)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }

    /// `strtol(s, &end, 0)` with nothing left over: decimal, `0x` hex or leading-zero octal.
    static func cNumber(_ text: String) -> Int? {
        var body = Substring(text)
        var negative = false
        if body.first == "-" || body.first == "+" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty else { return nil }
        let value: Int?
        if body.lowercased().hasPrefix("0x") {
            value = Int(body.dropFirst(2), radix: 16)
        } else if body.count > 1, body.hasPrefix("0") {
            value = Int(body.dropFirst(), radix: 8)
        } else {
            value = Int(body, radix: 10)
        }
        return value.map { negative ? -$0 : $0 }
    }

    /// `LogLevel` words in OpenSSH's order; the first word with a level is the one printed.
    static let logLevels: [(String, Int)] = [
        ("QUIET", 0), ("FATAL", 1), ("ERROR", 2), ("INFO", 3), ("VERBOSE", 4), ("DEBUG", 5), ("DEBUG1", 5),
        ("DEBUG2", 6), ("DEBUG3", 7),
    ]

    static let syslogFacilities: [String] = [
        "DAEMON", "USER", "AUTH", "AUTHPRIV", "LOCAL0", "LOCAL1", "LOCAL2", "LOCAL3", "LOCAL4", "LOCAL5",
        "LOCAL6", "LOCAL7",
    ]

    static func logLevelName(_ text: String) -> String? {
        let upper = text.uppercased()
        guard let level = logLevels.first(where: { $0.0 == upper })?.1 else { return nil }
        return logLevels.first { $0.1 == level }?.0
    }

    static func syslogFacilityName(_ text: String) -> String? {
        let upper = text.uppercased()
        return syslogFacilities.contains(upper) ? upper : nil
    }

    static func fingerprintHashName(_ text: String) -> String? {
        let names = ["MD5", "SHA1", "SHA256", "SHA384", "SHA512"]
        let upper = text.uppercased()
        return names.contains(upper) ? upper : nil
    }

    /// `TunnelDevice local[:remote]`, each `any` or 0...0x7ffffffe; returns the printed `local:remote` form.
    static func tunnelDevice(_ text: String) -> String? {
        func unit(_ part: Substring) -> String? {
            if part.lowercased() == "any" { return "any" }
            guard let value = ConfigNumber.strictDecimal(String(part)), (0...0x7fff_fffe).contains(value) else {
                return nil
            }
            return String(value)
        }
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let local = unit(parts[0]) else { return nil }
        guard parts.count == 2 else { return local + ":any" }
        guard let remote = unit(parts[1]) else { return nil }
        return local + ":" + remote
    }

    /// `EscapeChar`: `none`, a single character, or `^` and a control letter. Returns the code (-2 for none).
    static func escapeCharacter(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        if text == "none" { return -2 }
        if bytes.count == 1 { return Int(bytes[0]) }
        if bytes.count == 2, bytes[0] == UInt8(ascii: "^"), bytes[1] >= 64, bytes[1] < 128 {
            return Int(bytes[1] & 31)
        }
        return nil
    }

    /// The code an `EscapeChar` value stored by ``escapeCharacterName(_:)`` stands for; -2 for none.
    static func escapeCharacterCode(name: String) -> Int? {
        if name == "none" { return -2 }
        let bytes = Array(name.utf8)
        if bytes.count == 1 { return Int(bytes[0]) }
        guard bytes.first == UInt8(ascii: "\\") else { return nil }
        let rest = String(decoding: bytes.dropFirst(), as: UTF8.self)
        if rest == "\\" { return 0x5C }
        if rest == "^?" { return 0x7F }
        if rest.hasPrefix("M-") {
            let low = String(rest.dropFirst(2))
            return escapeCharacterCode(name: low.count == 1 ? low : "\\" + low).map { $0 + 0x80 }
        }
        if rest.hasPrefix("^"), rest.utf8.count == 2, let letter = rest.utf8.last { return Int(letter) - 64 }
        if rest.utf8.count == 3, let octal = Int(rest, radix: 8) { return octal }
        return nil
    }

    /// Prints an escape character the way OpenSSH's `vis(3)` with `VIS_WHITE` does.
    static func escapeCharacterName(_ code: Int) -> String {
        if code == -2 { return "none" }
        switch code {
        case 0x20, 0x09, 0x0A:
            let octal = String(code, radix: 8)
            return "\\" + String(repeating: "0", count: 3 - octal.count) + octal
        case 0..<0x20: return "\\^" + String(UnicodeScalar(UInt8(code + 64)))
        case 0x7F: return "\\^?"
        case 0x5C: return "\\\\"
        case 0x80...: return "\\M-" + escapeCharacterName(code - 0x80).replacingPrefix("\\", with: "")
        default: return String(UnicodeScalar(UInt8(code)))
        }
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
