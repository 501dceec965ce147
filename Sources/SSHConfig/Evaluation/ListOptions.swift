/// The options whose argument is a list: forwardings, `PermitRemoteOpen`, `SendEnv`, `CanonicalDomains`,
/// `CanonicalizePermittedCNAMEs` and the known-hosts file lists (ssh_config(5)).
extension KeywordApplier {
    /// A list set all at once, `none` allowed only alone (`UserKnownHostsFile`, `GlobalKnownHostsFile`).
    mutating func fileList(_ keyword: SSHConfigKeyword, options: inout Options) throws(ConfigError) {
        var values: [String] = []
        while let argument = context.next() {
            if argument.isEmpty { throw bad("keyword \(context.line.keyword) empty argument") }
            if argument.lowercased() == "none" && (!values.isEmpty || context.remaining > 0) {
                throw bad("keyword \(context.line.keyword) \"none\" argument must appear alone.")
            }
            values.append(argument)
        }
        if active && options.lists[keyword] == nil && !values.isEmpty { options.lists[keyword] = values }
    }

    mutating func forward(_ keyword: SSHConfigKeyword, options: inout Options) throws(ConfigError) {
        let first = try context.required()
        let remote = keyword == .remoteForward
        var dynamic = keyword == .dynamicForward
        var spec = first
        if !dynamic {
            if let second = context.next(), !second.isEmpty {
                spec = first + ":" + second
            } else if remote {
                dynamic = true
            } else {
                throw context.error(.missingArgument, "Missing target argument.")
            }
        }
        let expander = SSHTokenExpander(tokens: [:], environment: context.variables)
        guard let expanded = try? expander.expandEnvironment(spec),
            let forward = SSHForwarding.parse(expanded, dynamic: dynamic, remote: remote)
        else { throw bad("Bad forwarding specification.") }
        if active { options.addForward(forward, remote: remote) }
    }

    mutating func permitRemoteOpen(_ options: inout Options) throws(ConfigError) {
        var values: [String] = []
        while let argument = context.next() {
            let lowered = argument.lowercased()
            if lowered == "none" || lowered == "any" {
                if !values.isEmpty || context.remaining > 0 {
                    throw bad("keyword permitremoteopen \"\(argument)\" argument must appear alone.")
                }
            } else {
                guard let (host, port) = Self.splitHostPort(argument), !host.isEmpty else {
                    throw bad("missing host in permitremoteopen")
                }
                if port != "*" && (ConfigNumber.port(port) ?? 0) <= 0 {
                    throw bad("bad port number in permitremoteopen")
                }
            }
            values.append(argument)
        }
        if values.isEmpty { throw context.error(.missingArgument, "missing permitremoteopen specification") }
        if active && options.lists[.permitRemoteOpen] == nil { options.lists[.permitRemoteOpen] = values }
    }

    /// Splits `host:port` or `[host]:port` (OpenSSH's `hpdelim`); the port is empty when absent.
    static func splitHostPort(_ text: String) -> (String, String)? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let after = text[text.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { return nil }
            return (String(text[text.index(after: text.startIndex)..<close]), String(after.dropFirst()))
        }
        guard let colon = text.firstIndex(of: ":") else { return (text, "") }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    mutating func sendEnv(_ options: inout Options) throws(ConfigError) {
        var found = false
        while let argument = context.next() {
            if argument.isEmpty || argument.contains("=") { throw bad("Invalid environment name.") }
            found = true
            guard active else { continue }
            if argument.hasPrefix("-") {
                let pattern = String(argument.dropFirst())
                options.sendEnv.removeAll { HostPattern.matches($0, pattern: pattern) }
            } else {
                options.sendEnv.append(argument)
            }
        }
        if !found { throw context.error(.missingArgument, "no sendenv specified") }
    }

    mutating func canonicalDomains(_ options: inout Options) throws(ConfigError) {
        var values: [String] = []
        while let argument = context.next() {
            if argument.lowercased() == "none" && (!values.isEmpty || context.remaining > 0) {
                throw bad("keyword canonicaldomains \"none\" argument must appear alone.")
            }
            if let problem = DomainName.problem(argument) { throw bad(problem) }
            values.append(DomainName.normalized(argument))
        }
        if values.isEmpty { throw context.error(.missingArgument, "no canonicaldomains specified") }
        if active && options.lists[.canonicalDomains] == nil { options.lists[.canonicalDomains] = values }
    }

    mutating func permittedCNAMEs(_ options: inout Options) throws(ConfigError) {
        var values: [String] = []
        while let argument = context.next() {
            if argument.lowercased() == "none" {
                if !values.isEmpty || context.remaining > 0 {
                    throw bad("keyword canonicalizepermittedcnames \"none\" argument must appear alone.")
                }
                values.append(argument + ":")
            } else if argument == "*" {
                values.append("*:*")
            } else {
                let lowered = argument.lowercased()
                guard let colon = lowered.firstIndex(of: ":"), lowered.index(after: colon) != lowered.endIndex else {
                    throw bad("Invalid permitted CNAME \"\(lowered)\"")
                }
                values.append(lowered)
            }
        }
        if values.isEmpty { throw context.error(.missingArgument, "no canonicalizepermittedcnames specified") }
        if active && options.lists[.canonicalizePermittedCNAMEs] == nil {
            options.lists[.canonicalizePermittedCNAMEs] = values
        }
    }
}
