/// The numbers of `chmod`, `chown`, `chgrp` and `lumask`, read as `strtoll(3)` reads them (sign, `0x` and
/// leading-zero prefixes when `base` is 0) and accepted from 0 to 2³²−1, as OpenSSH's sftp does.
enum SFTPNumberParser {
    /// The value of `text` in `base` (0: decimal, or octal with a leading 0, or hex with `0x`), or nil.
    static func parse(_ text: String, base: Int) -> UInt32? {
        var digits = Substring(text).drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        var radix = base
        if base == 0 || base == 16, digits.lowercased().hasPrefix("0x"), digits.count > 2 {
            radix = 16
            digits = digits.dropFirst(2)
        } else if base == 0 {
            radix = digits.count > 1 && digits.hasPrefix("0") ? 8 : 10
        }
        guard !digits.isEmpty, let value = UInt64(digits, radix: radix) else { return nil }
        if negative { return value == 0 ? 0 : nil }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }
}
