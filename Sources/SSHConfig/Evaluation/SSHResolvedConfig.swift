import Foundation

/// The options in force for one host once every file is read and defaults are filled: what `ssh -G` prints.
public struct SSHResolvedConfig: Sendable {
    var options: Options
    /// The host as given (`%n`, the `host` line of `ssh -G`).
    public let hostArgument: String
    /// The host connected to, after `HostName`, lowercasing and canonicalisation (`%h`).
    public let hostname: String
    /// The token values for this connection.
    public let tokens: SSHConnectionTokens

    init(options: Options, hostArgument: String, host: String, environment: SSHConfigEnvironment) throws(ConfigError) {
        var options = options
        if options.values[.user] == nil { options.values[.user] = environment.localUser }
        if let jump = options.jumpHost {
            let port = Int(options.values[.port] ?? "") ?? 22
            let jumpPort = jump.port > 0 ? jump.port : 22
            if jump.host == host && port == jumpPort && (jump.user ?? options.values[.user]) == options.values[.user] {
                throw ConfigError(.badValue, "jumphost loop via \(jump.host)")
            }
        }
        if options.values[.port] == nil { options.values[.port] = String(ConfigNumber.port("ssh") ?? 22) }
        if let alias = options.values[.hostKeyAlias] { options.values[.hostKeyAlias] = alias.lowercased() }
        // `UpdateHostKeys ask` needs a terminal session the user sees: ssh turns it off otherwise.
        if options.values[.updateHostKeys] == "ask" {
            let persistent = options.values[.controlPersist] != "no" && options.values[.controlPath] != nil
            let remoteCommand = options.values[.remoteCommand] != nil || options.values[.requestTTY] == "false"
            let quiet = ["QUIET", "FATAL", "ERROR"].contains(options.values[.logLevel] ?? "INFO")
            if persistent || remoteCommand || quiet { options.values[.updateHostKeys] = "false" }
        }
        if options.values[.proxyCommand] == "-" && options.values[.proxyUseFdpass] == "yes" {
            throw ConfigError(.badValue, "ProxyCommand=- and ProxyUseFDPass are incompatible")
        }
        if let attempts = Int(options.values[.connectionAttempts] ?? "1"), attempts <= 0 {
            throw ConfigError(.badValue, "Invalid number of ConnectionAttempts")
        }
        let user = options.values[.user] ?? environment.localUser
        let port = options.values[.port] ?? "22"
        let tokens = SSHConnectionTokens(
            connectionHash: SHA1.hexDigest(Array((environment.localHostname + host + port + user).utf8)),
            shortLocalHostname: String(environment.localHostname.prefix { $0 != "." }),
            userID: String(environment.userID), hostKeyAlias: options.values[.hostKeyAlias] ?? hostArgument,
            localHostname: environment.localHostname, originalHost: hostArgument, port: port,
            homeDirectory: environment.homeDirectory, host: host, remoteUser: user, localUser: environment.localUser,
            jumpHost: options.jumpHost?.host ?? "")
        try FinalExpansion(tokens: tokens, environment: environment).apply(to: &options)
        if let socket = options.forwardAgentPath, options.values[.exitOnForwardFailure] == "yes",
            !FileManager.default.fileExists(atPath: socket)
        {
            throw ConfigError(.badValue, "Cannot forward agent socket path \"\(socket)\": No such file or directory")
        }
        self.options = options
        self.hostArgument = hostArgument
        self.hostname = host
        self.tokens = tokens
    }

    /// The remote port (ssh_config(5) `Port`).
    public var port: Int { Int(options.values[.port] ?? "") ?? 22 }
    /// The remote user (ssh_config(5) `User`, or the local user).
    public var user: String { options.values[.user] ?? tokens.localUser }
    /// `IdentityFile` entries in order, tokens not yet expanded (as `ssh -G` shows them).
    public var identityFiles: [String] { options.identityFiles.map(\.path) }
    /// `CertificateFile` entries in order.
    public var certificateFiles: [String] { options.certificateFiles.map(\.path) }
    /// `LocalForward` and `DynamicForward` entries (dynamic ones have `connectHost` `socks`).
    public var localForwards: [SSHForwarding] { options.localForwards }
    /// `RemoteForward` entries.
    public var remoteForwards: [SSHForwarding] { options.remoteForwards }
    /// `SendEnv` patterns.
    public var sendEnv: [String] { options.sendEnv }
    /// The `ForwardAgent` socket path, when one was given instead of yes/no (tokens expanded).
    public var forwardAgentPath: String? { options.forwardAgentPath }
    /// `ProxyJump`, when set.
    public var proxyJump: SSHJumpHost? { options.jumpHost }
    /// `ProxyCommand`, when set and `ProxyJump` is not.
    public var proxyCommand: String? { options.jumpHost == nil ? options.values[.proxyCommand] : nil }

    /// `RekeyLimit`'s time, in seconds; nil when none is given.
    public var rekeyInterval: Int? { options.rekeyInterval }

    /// `IPQoS`'s codepoints for interactive and bulk sessions; nil for `none`.
    public var ipQoS: (interactive: Int?, bulk: Int?) {
        let words = (options.values[.ipQoS] ?? "").split(separator: " ").map(String.init)
        func value(_ index: Int) -> Int? {
            guard index < words.count, let value = NamedValues.ipQoSValue(words[index]), (0...255).contains(value) else {
                return nil
            }
            return value
        }
        return (value(0), words.count > 1 ? value(1) : value(0))
    }

    /// `EscapeChar`'s byte, the `~` by default; nil for `none`.
    public var escapeCharacter: UInt8? {
        guard let code = NamedValues.escapeCharacterCode(name: options.values[.escapeChar] ?? "~"), (0...255).contains(code)
        else { return nil }
        return UInt8(code)
    }

    /// The value of a single-valued option as `ssh -G` prints it, or nil when it has none.
    public func string(_ keyword: SSHConfigKeyword) -> String? { options.values[keyword] }

    /// A yes/no option as a Boolean: `yes` and `true` are true, `no` and `false` are false; nil otherwise
    /// (for example `ask`, `confirm`, `auto`).
    public func bool(_ keyword: SSHConfigKeyword) -> Bool? {
        switch string(keyword) {
        case "yes", "true": return true
        case "no", "false": return false
        default: return nil
        }
    }

    /// A yes/no/ask/confirm option (`StrictHostKeyChecking`, `AddKeysToAgent`, `UpdateHostKeys`,
    /// `VerifyHostKeyDNS`, `ControlMaster`, or any yes/no flag); nil for other words.
    public func answer(_ keyword: SSHConfigKeyword) -> SSHConfigAnswer? {
        guard let value = string(keyword) else { return nil }
        return SSHConfigAnswer(rawValue: value == "true" ? "yes" : value == "false" ? "no" : value)
    }

    /// An integer option (`ConnectionAttempts`, `ServerAliveCountMax`, ...).
    public func int(_ keyword: SSHConfigKeyword) -> Int? { string(keyword).flatMap { Int($0) } }

    /// A time option in seconds (`ConnectTimeout`, `ServerAliveInterval`, `ForwardX11Timeout`,
    /// `ControlPersist`); nil when unset or `none`.
    public func duration(_ keyword: SSHConfigKeyword) -> Int? { string(keyword).flatMap { Int($0) } }

    /// A list-valued option (`UserKnownHostsFile`, `CanonicalDomains`, `SetEnv`, `SendEnv`, `IdentityFile`, ...).
    public func list(_ keyword: SSHConfigKeyword) -> [String] {
        switch keyword {
        case .identityFile: return identityFiles
        case .certificateFile: return certificateFiles
        case .sendEnv: return sendEnv
        default: return options.lists[keyword] ?? string(keyword).map { [$0] } ?? []
        }
    }

    /// Expands `%` tokens (and `${NAME}` when asked) in a value with this connection's token values, plus the
    /// keyword-specific `extra` tokens (`%T` for `LocalCommand`, `%f %H %I %K %t` for `KnownHostsCommand`).
    public func expand(_ text: String, extra: [Character: String] = [:], environmentReferences: Bool = false)
        throws(SSHTokenExpander.Problem) -> String
    {
        try SSHTokenExpander(tokens: tokens.table(adding: extra), environment: [:])
            .expand(text, environmentReferences: environmentReferences)
    }

    /// The lines `ssh -G` prints for this host, in its order and format.
    public var sshGLines: [String] { DumpRenderer(config: self).lines() }

    /// The resolved options in the shape of Paramiko's `SSHConfigDict`: lowercase keyword to value, with the
    /// options `ssh -G` prints several times (`identityfile`, `localforward`, `sendenv`, ...) as lists.
    public var dictionary: [String: SSHConfigValue] {
        var result: [String: SSHConfigValue] = [:]
        for line in sshGLines {
            let key = String(line.prefix { $0 != " " }).lowercased()
            let value = String(line.dropFirst(key.count + 1))
            if DumpRenderer.repeatedKeywords.contains(key) {
                if case .list(let existing) = result[key] {
                    result[key] = .list(existing + [value])
                } else {
                    result[key] = .list([value])
                }
            } else {
                result[key] = .string(value)
            }
        }
        return result
    }
}

/// The answers ssh_config(5) options such as `StrictHostKeyChecking` and `AddKeysToAgent` take.
public enum SSHConfigAnswer: String, Sendable, CaseIterable {
    /// `yes` or `true`.
    case yes
    /// `no` or `false`.
    case no
    /// Ask first (`StrictHostKeyChecking`, `AddKeysToAgent`, `ControlMaster`, ...).
    case ask
    /// `AddKeysToAgent confirm`.
    case confirm
    /// `ControlMaster auto`.
    case auto
    /// `ControlMaster autoask`.
    case autoask
    /// `StrictHostKeyChecking accept-new`.
    case acceptNew = "accept-new"
}

/// A value of `SSHResolvedConfig.dictionary`.
public enum SSHConfigValue: Hashable, Sendable {
    /// A single value.
    case string(String)
    /// A keyword given several times, in order.
    case list([String])
}
