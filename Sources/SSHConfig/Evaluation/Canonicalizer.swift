/// Host name canonicalisation (ssh_config(5) `CanonicalizeHostname`, `CanonicalDomains`,
/// `CanonicalizeMaxDots`, `CanonicalizeFallbackLocal`): a name with few enough dots is tried with each
/// domain appended, and the first that resolves replaces it.
struct Canonicalizer {
    let options: Options
    let resolve: @Sendable (String) -> String?

    /// Returns the canonical name, the name unchanged when nothing applies, or throws when the name does not
    /// resolve and `CanonicalizeFallbackLocal` is off.
    func canonicalize(_ host: String) throws(ConfigError) -> String {
        let hasProxy = options.values[.proxyCommand].map { $0.lowercased() != "none" } ?? false
        if hasProxy && !Self.isValidDomain(host) { return host }
        if host.hasSuffix(".") {
            if resolve(host) != nil { return String(host.dropLast()) }
            return try notFound(host)
        }
        let maxDots = Int(options.values[.canonicalizeMaxDots] ?? "1") ?? 1
        if host.filter({ $0 == "." }).count > maxDots { return host }
        for domain in options.lists[.canonicalDomains] ?? [] {
            if domain.lowercased() == "none" { break }
            let candidate = host + "." + domain
            if resolve(candidate + ".") != nil { return candidate }
        }
        return try notFound(host)
    }

    private func notFound(_ host: String) throws(ConfigError) -> String {
        if options.values[.canonicalizeFallbackLocal] == "no" {
            throw ConfigError(.unresolvableHost, "ssh: Could not resolve host \"\(host)\"")
        }
        return host
    }

    /// OpenSSH's `valid_domain`: letters, digits, `-` and `.`, not starting with `.` or `-`.
    static func isValidDomain(_ name: String) -> Bool {
        guard let first = name.first, first != ".", first != "-" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
    }
}
