/// The token expansion `ssh` applies once options are final and before `ssh -G` prints them: `RemoteCommand`
/// takes `%` tokens; `ControlPath`, `IdentityAgent`, a `ForwardAgent` socket and `UserKnownHostsFile` take `~`,
/// `%` tokens and `${NAME}`; forwarding socket paths take `%` tokens. `IdentityFile`, `CertificateFile`,
/// `RevokedHostKeys`, `LocalCommand`, `ProxyCommand` and `KnownHostsCommand` are expanded later, when used.
struct FinalExpansion {
    let tokens: SSHConnectionTokens
    let environment: SSHConfigEnvironment

    private func expand(_ text: String, tilde: Bool, environmentReferences: Bool) throws(ConfigError) -> String {
        let source = tilde ? TildeExpansion.expand(text, home: environment.homeDirectory) : text
        do {
            return try SSHTokenExpander(tokens: tokens.table, environment: environment.variables)
                .expand(source, environmentReferences: environmentReferences)
        } catch {
            throw ConfigError(.badValue, error.description)
        }
    }

    func apply(to options: inout Options) throws(ConfigError) {
        if let command = options.values[.remoteCommand] {
            options.values[.remoteCommand] = try expand(command, tilde: false, environmentReferences: false)
        }
        for keyword in [SSHConfigKeyword.controlPath, .identityAgent] {
            if let value = options.values[keyword] {
                options.values[keyword] = try expand(value, tilde: true, environmentReferences: true)
            }
        }
        if let agent = options.forwardAgentPath {
            options.forwardAgentPath = try expand(agent, tilde: true, environmentReferences: true)
        }
        for keyword in [SSHConfigKeyword.globalKnownHostsFile, .userKnownHostsFile] {
            guard let files = options.lists[keyword] else { continue }
            if files.first?.lowercased() == "none" {
                if files.count > 1 {
                    throw ConfigError(.badValue, "Invalid \(keyword.rawValue): \"none\" appears with other entries")
                }
                options.lists[keyword] = []
            } else if keyword == .userKnownHostsFile {
                var expanded: [String] = []
                for file in files { expanded.append(try expand(file, tilde: true, environmentReferences: true)) }
                options.lists[keyword] = expanded
            }
        }
        options.localForwards = try options.localForwards.map(expandPaths)
        options.remoteForwards = try options.remoteForwards.map(expandPaths)
    }

    private func expandPaths(_ forward: SSHForwarding) throws(ConfigError) -> SSHForwarding {
        var copy = forward
        if let path = copy.listenPath { copy.listenPath = try expand(path, tilde: false, environmentReferences: false) }
        if let path = copy.connectPath {
            copy.connectPath = try expand(path, tilde: false, environmentReferences: false)
        }
        return copy
    }
}
