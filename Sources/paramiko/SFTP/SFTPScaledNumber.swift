/// Sizes written the way OpenBSD's `fmt_scaled(3)` writes them, which OpenSSH's sftp uses for `ls -h` and
/// `df -h`: at most three significant digits and a unit letter (`6B`, `17.1G`, `252G`).
enum SFTPScaledNumber {
    private static let units: [Character] = ["B", "K", "M", "G", "T", "P", "E"]

    /// `number` scaled by powers of 1024.
    static func format(_ number: UInt64) -> String {
        var unit = 0
        var whole = number
        var fraction: UInt64 = 0
        // Find the unit: the largest power of 1024 the number reaches, as fmt_scaled's table walk does.
        var scale: UInt64 = 1
        while unit < units.count - 1, number / 1024 >= scale {
            scale *= 1024
            unit += 1
        }
        if unit > 0 {
            whole = number / scale
            fraction = (number % scale) / (scale / 1024)
        }
        fraction = (10 * fraction + 512) / 1024
        if fraction >= 10 {
            whole += 1
            fraction = 0
        }
        if whole == 0 { return "0B" }
        if unit == 0 || whole >= 100 {
            if fraction >= 5 { whole += 1 }
            return "\(whole)\(units[unit])"
        }
        return "\(whole).\(fraction)\(units[unit])"
    }
}
