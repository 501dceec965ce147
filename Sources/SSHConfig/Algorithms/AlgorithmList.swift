/// An algorithm list argument with ssh_config(5)'s operators: a leading `+` appends to the default set, `-`
/// removes the matching names (wildcards allowed) and `^` places names at the head; otherwise the list replaces
/// the defaults. Names may be wildcard patterns, expanded against the supported names.
public enum SSHAlgorithmList: Sendable {
    /// Why an algorithm list could not be assembled.
    public enum Problem: Error, Hashable, Sendable {
        /// A `!`-negated pattern, which these lists do not allow.
        case negatedPattern
        /// The result is empty.
        case empty
    }

    /// Assembles `spec` against `defaults` and `supported` (OpenSSH's `kex_assemble_names`).
    /// A nil or empty `spec` yields the defaults.
    public static func assemble(_ spec: String?, defaults: [String], supported: [String]) throws(Problem)
        -> [String]
    {
        guard let spec, let first = spec.first else { return defaults }
        var list: [String]
        let body = String(spec.dropFirst())
        switch first {
        case "+": list = concatenate(defaults, names(body))
        case "-": return defaults.filter { HostPattern.matchList($0, patterns: body) != .matched }
        case "^": list = concatenate(names(body), defaults)
        default: list = names(spec)
        }
        var result: [String] = []
        for pattern in list {
            if pattern.hasPrefix("!") { throw .negatedPattern }
            let matching = supported.filter { HostPattern.matchList($0, patterns: pattern) == .matched }
            result = result.isEmpty ? matching : concatenate(result, matching)
        }
        if result.isEmpty { throw .empty }
        return result
    }

    /// Assembles one of OpenSSH's lists by kind.
    public static func assemble(_ spec: String?, kind: SSHAlgorithmCatalog.Kind) throws(Problem) -> [String] {
        try assemble(spec, defaults: SSHAlgorithmCatalog.defaults(kind), supported: SSHAlgorithmCatalog.supported(kind))
    }

    /// Whether a configuration argument is acceptable for the kind, the way `ssh` checks it when reading:
    /// `-` lists are not checked; cipher, MAC and kex names must be exact; key algorithm names may be patterns.
    static func isValidArgument(_ argument: String, kind: SSHAlgorithmCatalog.Kind) -> Bool {
        if argument.hasPrefix("-") { return true }
        var body = Substring(argument)
        if kind != .gssKex, body.first == "+" || body.first == "^" { body = body.dropFirst() }
        let supported = SSHAlgorithmCatalog.supported(kind)
        let entries = body.split(separator: ",", omittingEmptySubsequences: false)
        guard !body.isEmpty else { return false }
        for entry in entries {
            let name = String(entry)
            if name.isEmpty { return entries.last == entry && entries.count > 1 }
            if supported.contains(name) { continue }
            if kind == .hostKey || kind == .caSignature,
                supported.contains(where: { HostPattern.matchList($0, patterns: name) != .noMatch })
            {
                continue
            }
            return false
        }
        return true
    }

    private static func names(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
    }

    /// Appends the names of `extra` not already in `base` (OpenSSH's `kex_names_cat`).
    private static func concatenate(_ base: [String], _ extra: [String]) -> [String] {
        if base.isEmpty { return extra }
        var result = base
        for name in extra where !result.contains(name) { result.append(name) }
        return result
    }
}
