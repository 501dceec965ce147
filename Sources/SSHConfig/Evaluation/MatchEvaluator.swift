/// Evaluates a `Match` line (ssh_config(5) "Match"): criteria `all`, `canonical`, `final`, `exec`, `host`,
/// `originalhost`, `user`, `localuser` and `localnetwork`, each optionally negated with `!`, all of which must
/// hold. An `exec` command runs only while the earlier criteria hold; a command that fails is no match.
struct MatchEvaluator {
    let reader: ConfigReader
    let context: LineContext
    let finalPass: Bool

    private func failure(_ detail: String) -> ConfigError { context.error(.badMatch, detail) }

    /// The host `Match host` compares and `%h` names at this point of reading.
    private func currentHost() throws(ConfigError) -> String {
        let options = reader.options
        if finalPass { return options.values[.hostname] ?? reader.host }
        guard let hostname = options.values[.hostname] else { return reader.host }
        do {
            return try SSHTokenExpander(tokens: ["h": reader.host]).expand(hostname)
        } catch {
            throw context.error(.badValue, error.description)
        }
    }

    func evaluate(wantFinalPass: inout Bool) throws(ConfigError) -> Bool {
        let options = reader.options
        let environment = reader.environment
        let host = try currentHost()
        let port = options.values[.port] ?? "22"
        let remoteUser = options.values[.user] ?? environment.localUser
        var words = LineTokenizer.delimitedWords(context.line.rest)[...]
        var result = true
        var attributes = 0
        while let word = words.first {
            words = words.dropFirst()
            if word.hasPrefix("#") { break }
            let negate = word.hasPrefix("!")
            let attribute = (negate ? String(word.dropFirst()) : word).lowercased()
            if attribute == "all" {
                if attributes > 1 || (words.first.map { !$0.hasPrefix("#") } ?? false) {
                    throw failure("'\(word)' cannot be combined with other Match attributes")
                }
                if result { result = !negate }
                return result
            }
            attributes += 1
            if attribute == "canonical" || attribute == "final" {
                if attribute == "final" { wantFinalPass = true }
                if finalPass == negate { result = false }
                continue
            }
            guard let argument = words.first, !argument.hasPrefix("#") else {
                throw failure("Missing Match criteria for \(attribute)")
            }
            words = words.dropFirst()
            let matched: Bool
            switch attribute {
            case "host":
                matched = HostPattern.matchHostname(host, patterns: argument) == .matched
            case "originalhost":
                matched = HostPattern.matchHostname(reader.originalHost, patterns: argument) == .matched
            case "user":
                matched = HostPattern.matchList(remoteUser, patterns: argument) == .matched
            case "localuser":
                matched = HostPattern.matchList(environment.localUser, patterns: argument) == .matched
            case "localnetwork":
                guard AddressPattern.isValidList(argument) else { throw failure("Invalid CIDR list \(argument)") }
                matched = environment.interfaceAddresses().contains {
                    AddressPattern.matches(address: $0, list: argument)
                }
            case "exec":
                let command = try expandExec(argument, host: host, port: port, remoteUser: remoteUser)
                guard result else { continue }
                matched = environment.runCommand(command) == 0
            default:
                throw failure("Unsupported Match attribute \(attribute)")
            }
            if matched == negate { result = false }
        }
        if attributes == 0 { throw failure("One or more attributes required for Match") }
        return result
    }

    private func expandExec(_ command: String, host: String, port: String, remoteUser: String) throws(ConfigError)
        -> String
    {
        let options = reader.options
        let environment = reader.environment
        let hash = SHA1.hexDigest(Array((environment.localHostname + host + port + remoteUser).utf8))
        let tokens: [Character: String] = [
            "C": hash, "L": String(environment.localHostname.prefix { $0 != "." }),
            "d": environment.homeDirectory, "h": host, "k": options.values[.hostKeyAlias] ?? host,
            "l": environment.localHostname, "n": reader.originalHost, "p": port, "r": remoteUser,
            "u": environment.localUser, "i": String(environment.userID),
        ]
        do {
            return try SSHTokenExpander(tokens: tokens).expand(command)
        } catch {
            throw context.error(.badValue, error.description)
        }
    }
}
