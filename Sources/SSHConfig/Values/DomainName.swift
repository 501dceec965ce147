/// Domain names as `CanonicalDomains` and canonicalisation accept them (OpenSSH's `valid_domain`): letters,
/// digits, `-`, `_` and single dots, starting with a letter or digit.
enum DomainName {
    /// Why `name` is not a valid domain, or nil when it is.
    static func problem(_ name: String) -> String? {
        guard let first = name.unicodeScalars.first else { return "empty domain name" }
        func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            scalar.isASCII
                && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar))
        }
        guard isAlphanumeric(first) else { return "domain name \"\(name)\" starts with invalid character" }
        var last: Unicode.Scalar = "\0"
        for scalar in name.unicodeScalars {
            if last == "." && scalar == "." { return "domain name \"\(name)\" contains consecutive separators" }
            if scalar != "." && scalar != "-" && scalar != "_" && !isAlphanumeric(scalar) {
                return "domain name \"\(name)\" contains invalid characters"
            }
            last = scalar
        }
        return nil
    }

    /// The name lowercased and without a trailing dot, as OpenSSH stores a `CanonicalDomains` entry.
    static func normalized(_ name: String) -> String {
        let lowered = name.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }
}
