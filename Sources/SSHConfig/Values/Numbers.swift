#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Number formats of ssh_config(5) arguments.
enum ConfigNumber {
    /// OpenSSH's `atoi_err`: a decimal in 0...Int32.max, or the reason it is not one.
    static func integer(_ text: String?) -> Result<Int, IntegerProblem> {
        guard let text, !text.isEmpty else { return .failure(.missing) }
        guard let value = strictDecimal(text) else { return .failure(.invalid) }
        if value < 0 { return .failure(.tooSmall) }
        if value > Int(Int32.max) { return .failure(.tooLarge) }
        return .success(value)
    }

    enum IntegerProblem: String, Error {
        case missing, invalid
        case tooSmall = "too small"
        case tooLarge = "too large"
    }

    /// A base-10 integer with optional leading whitespace and sign (`strtoll` with nothing left over).
    static func strictDecimal(_ text: String) -> Int? {
        var body = Substring(text)
        while let first = body.first, first == " " || first == "\t" || first == "\n" { body = body.dropFirst() }
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let digits = body.drop { $0 == "0" }
        if digits.count > 18 { return negative ? Int.min : Int.max }
        let value = Int(digits) ?? 0
        return negative ? -value : value
    }

    /// OpenSSH's `a2port`: a port number in 0...65535 or a TCP service name; nil when neither.
    static func port(_ text: String) -> Int? {
        if let value = strictDecimal(text) { return (0...65535).contains(value) ? value : nil }
        guard let entry = getservbyname(text, "tcp") else { return nil }
        return Int(UInt16(bigEndian: UInt16(truncatingIfNeeded: entry.pointee.s_port)))
    }

    /// OpenSSH's `scan_scaled`: a byte count with an optional `K`, `M`, `G`, `T`, `P` or `E` suffix and an
    /// optional fraction (`1.5G`).
    static func scaledBytes(_ text: String) -> Int? {
        var body = Substring(text)
        let units: [Character: Int] = ["b": 0, "k": 1, "m": 2, "g": 3, "t": 4, "p": 5, "e": 6]
        var exponent = 0
        if let last = body.last, let unit = units[Character(last.lowercased())] {
            exponent = unit
            body = body.dropLast()
        }
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty, wholeText.allSatisfy({ $0.isASCII && $0.isNumber }),
            let whole = Int(wholeText)
        else { return nil }
        var scale = 1
        for _ in 0..<exponent { scale *= 1024 }
        let (scaled, overflow) = whole.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        guard parts.count == 2 else { return scaled }
        let fraction = parts[1]
        guard exponent > 0, !fraction.isEmpty, fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        var fractional = 0
        var divisor = 1
        for digit in fraction.prefix(9) {
            fractional = fractional * 10 + (digit.wholeNumberValue ?? 0)
            divisor *= 10
        }
        return scaled + fractional * scale / divisor
    }
}
