/// Host name canonicalisation (ssh_config(5) `CanonicalizeHostname`, `CanonicalDomains`,
/// `CanonicalizeMaxDots`, `CanonicalizeFallbackLocal`, `CanonicalizePermittedCNAMEs`): a name with few enough
/// dots is tried with each domain appended, the first that resolves replaces it, and a permitted CNAME is
/// followed.
struct Canonicalizer {
    let options: Options
    let resolve: @Sendable (String) -> String?

    /// Whether ssh connects to the host itself rather than through `ProxyCommand` or `ProxyJump`.
    var isDirect: Bool {
        (options.values[.proxyCommand].map { $0.lowercased() == "none" } ?? true) && options.jumpHost == nil
    }

    private var mode: String { options.values[.canonicalizeHostname] ?? "false" }

    /// Applies canonicalisation to a name (not an address literal) as `ssh` does before its final pass.
    func apply(to host: String) throws(ConfigError) -> String {
        var name = host
        var resolved = false
        if mode != "false" && (isDirect || mode == "always") {
            (name, resolved) = try canonicalize(host)
        }
        // With permitted CNAMEs, a name not yet resolved is looked up as it is and its CNAME followed.
        if !resolved && hasPermittedCNAMEs && (isDirect || mode == "always") {
            guard let canonical = resolve(name) else {
                if isDirect { throw ConfigError(.unresolvableHost, "ssh: Could not resolve hostname \(name)") }
                return name
            }
            name = followCNAME(name, canonical)
        }
        return name
    }

    /// OpenSSH's `resolve_canonicalize`: the name and whether it resolved.
    private func canonicalize(_ host: String) throws(ConfigError) -> (String, Bool) {
        // A name that is no domain, sent through a proxy, is the proxy's to interpret.
        if options.values[.proxyCommand] != nil && DomainName.problem(host) != nil { return (host, false) }
        if host.hasSuffix(".") {
            if let canonical = resolve(host) { return (followCNAME(String(host.dropLast()), canonical), true) }
            return (try notFound(host), false)
        }
        let maxDots = Int(options.values[.canonicalizeMaxDots] ?? "1") ?? 1
        if host.filter({ $0 == "." }).count > maxDots { return (host, false) }
        for domain in options.lists[.canonicalDomains] ?? [] {
            if domain.lowercased() == "none" { break }
            let candidate = host + "." + domain
            if let canonical = resolve(candidate + ".") { return (followCNAME(candidate, canonical), true) }
        }
        return (try notFound(host), false)
    }

    private var hasPermittedCNAMEs: Bool {
        let rules = options.lists[.canonicalizePermittedCNAMEs] ?? []
        return !rules.isEmpty && rules != ["none:"]
    }

    /// `CanonicalizePermittedCNAMEs source:target`: when the name found is an alias whose source and target
    /// match a rule, the target replaces it (OpenSSH's `check_follow_cname`).
    private func followCNAME(_ name: String, _ canonical: String) -> String {
        let target = canonical.hasSuffix(".") ? String(canonical.dropLast()) : canonical
        guard !target.isEmpty, target != name, hasPermittedCNAMEs, mode != "false" else { return name }
        guard isDirect || mode == "always" else { return name }
        for rule in options.lists[.canonicalizePermittedCNAMEs] ?? [] {
            let parts = rule.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
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
