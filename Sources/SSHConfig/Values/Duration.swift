/// Time intervals as ssh_config(5) "TIME FORMATS" writes them: a sequence of `time[qualifier]`, where the
/// qualifier is one of `s`, `m`, `h`, `d`, `w` (either case) and a bare number means seconds; `1h30m` is 5400.
public enum SSHConfigDuration: Sendable {
    /// Parses a time value into seconds, or nil when it is malformed or exceeds `Int32.max` (OpenSSH's `convtime`).
    public static func seconds(_ text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return nil }
        var total = 0
        var index = 0
        let limit = Int(Int32.max)
        while index < bytes.count {
            while index < bytes.count, bytes[index] == 0x20 || (bytes[index] >= 0x09 && bytes[index] <= 0x0D) {
                index += 1
            }
            var sign = 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                if bytes[index] == UInt8(ascii: "-") { sign = -1 }
                index += 1
            }
            let digitsStart = index
            var value = 0
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                value = min(value * 10 + Int(bytes[index] - 0x30), limit + 1)
                index += 1
            }
            guard index > digitsStart else { return nil }
            value *= sign
            guard value >= 0, value <= limit else { return nil }
            var multiplier = 1
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "s"), UInt8(ascii: "S"): multiplier = 1
                case UInt8(ascii: "m"), UInt8(ascii: "M"): multiplier = 60
                case UInt8(ascii: "h"), UInt8(ascii: "H"): multiplier = 3600
                case UInt8(ascii: "d"), UInt8(ascii: "D"): multiplier = 86400
                case UInt8(ascii: "w"), UInt8(ascii: "W"): multiplier = 604800
                default: return nil
                }
                index += 1
            }
            guard value <= limit / multiplier else { return nil }
            value *= multiplier
            guard total <= limit - value else { return nil }
            total += value
        }
        return total
    }
}
