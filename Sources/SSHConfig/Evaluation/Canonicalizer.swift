/// Host name canonicalisation (ssh_config(5) `CanonicalizeHostname`, `CanonicalDomains`,
/// `CanonicalizeMaxDots`, `CanonicalizeFallbackLocal`): a name with few enough dots is tried with each
/// domain appended, and the first that resolves replaces it.
struct Canonicalizer {
    let options: Options
    let resolve: @Sendable (String) -> String?

    /// Returns the canonical name, the name unchanged when nothing applies, or throws when the name does not
    /// resolve and `CanonicalizeFallbackLocal` is off.
    func canonicalize(_ host: String) throws(ConfigError) -> String {
        // A name that is no domain, sent through a proxy, is the proxy's to interpret.
        if options.values[.proxyCommand] != nil && DomainName.problem(host) != nil { return host }
        if host.hasSuffix(".") {
            if let canonical = resolve(host) { return followCNAME(String(host.dropLast()), canonical) }
            return try notFound(host)
        }
        let maxDots = Int(options.values[.canonicalizeMaxDots] ?? "1") ?? 1
        if host.filter({ $0 == "." }).count > maxDots { return host }
        for domain in options.lists[.canonicalDomains] ?? [] {
            if domain.lowercased() == "none" { break }
            let candidate = host + "." + domain
            if let canonical = resolve(candidate + ".") { return followCNAME(candidate, canonical) }
        }
        return try notFound(host)
    }

    /// `CanonicalizePermittedCNAMEs source:target`: when the name found is an alias whose source and target
    /// match a rule, the target replaces it (OpenSSH's `check_follow_cname`).
    private func followCNAME(_ name: String, _ canonical: String) -> String {
        let target = canonical.hasSuffix(".") ? String(canonical.dropLast()) : canonical
        guard !target.isEmpty, target != name else { return name }
        let direct =
            (options.values[.proxyCommand].map { $0.lowercased() == "none" } ?? true) && options.jumpHost == nil
        guard direct || options.values[.canonicalizeHostname] == "always" else { return name }
        for rule in options.lists[.canonicalizePermittedCNAMEs] ?? [] {
            let parts = rule.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[1].isEmpty else { continue }
            if HostPattern.matchList(name, patterns: String(parts[0]), lowercasingPatterns: true) == .matched,
                HostPattern.matchList(target, patterns: String(parts[1]), lowercasingPatterns: true) == .matched
            {
                return target
            }
        }
        return name
    }

    private func notFound(_ host: String) throws(ConfigError) -> String {
        if options.values[.canonicalizeFallbackLocal] == "no" {
            throw ConfigError(.unresolvableHost, "ssh: Could not resolve host \"\(host)\"")
        }
        return host
    }
}
