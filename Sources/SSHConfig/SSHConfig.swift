import Foundation

/// ssh_config(5) files, evaluated for a host the way OpenSSH 9.2's `ssh` does.
///
/// ```swift
/// let config = SSHConfig.standard()                 // ~/.ssh/config, then /etc/ssh/ssh_config
/// let options = try config.resolve(host: "db")
/// print(options.hostname, options.port, options.identityFiles)
/// print(options.sshGLines.joined(separator: "\n")) // what `ssh -G db` prints
/// ```
public struct SSHConfig: Sendable {
    /// Where configuration text comes from.
    public enum Source: Sendable, Hashable {
        /// A file; `isUserConfig` puts relative `Include` paths under `~/.ssh` instead of `/etc/ssh`;
        /// `checksPermissions` refuses it when another user owns it or others may write it, as `ssh` does for
        /// `~/.ssh/config`.
        case file(path: String, isUserConfig: Bool, checksPermissions: Bool = false)
        /// Text in memory, named `name` in errors; a user configuration.
        case text(String, name: String)
    }

    /// The sources read in order; the first value obtained for an option wins.
    public var sources: [Source]
    /// The user, host, environment and system services evaluation consults.
    public var environment: SSHConfigEnvironment

    /// Creates a configuration from explicit sources.
    public init(sources: [Source], environment: SSHConfigEnvironment = .current()) {
        self.sources = sources
        self.environment = environment
    }

    /// One file read as `ssh -F file` reads it (a user configuration, required to exist).
    public init(file path: String, environment: SSHConfigEnvironment = .current()) {
        self.init(sources: [.file(path: path, isUserConfig: true)], environment: environment)
    }

    /// Configuration text, as if it were a user configuration file named `name`.
    public init(text: String, name: String = "config", environment: SSHConfigEnvironment = .current()) {
        self.init(sources: [.text(text, name: name)], environment: environment)
    }

    /// The files `ssh` reads without `-F`: `~/.ssh/config`, then the system-wide `/etc/ssh/ssh_config`.
    public static func standard(environment: SSHConfigEnvironment = .current()) -> SSHConfig {
        SSHConfig(
            sources: [
                .file(path: environment.homeDirectory + "/.ssh/config", isUserConfig: true, checksPermissions: true),
                .file(path: environment.systemDirectory + "/ssh_config", isUserConfig: false),
            ], environment: environment)
    }

    /// Evaluates the configuration for `host`, with `user` and `port` as `ssh -l` and `-p` give them
    /// (they win over the files).
    public func resolve(host: String, user: String? = nil, port: Int? = nil) throws(ConfigError)
        -> SSHResolvedConfig
    {
        var initial = Options()
        if let user { initial.values[.user] = user }
        if let port { initial.values[.port] = String(port) }
        var first = try read(initial, host: host, originalHost: host, finalPass: false)
        var options = first.options
        var name = host
        for (keyword, value) in [
            (SSHConfigKeyword.canonicalizeMaxDots, "1"), (.canonicalizeFallbackLocal, "yes"),
            (.canonicalizeHostname, "false"),
        ] where options.values[keyword] == nil {
            options.values[keyword] = value
        }
        if let hostname = options.values[.hostname] {
            do {
                name = try SSHTokenExpander(tokens: ["h": name]).expand(hostname)
            } catch {
                throw ConfigError(.badValue, error.description)
            }
            options.values[.hostname] = name
        }
        // An address literal takes its canonical numeric form; a name is lowercased.
        let numeric = SystemServices.numericAddress(name)
        if let numeric {
            if numeric.lowercased() != name.lowercased() { name = numeric }
        } else {
            name = name.lowercased()
        }
        let canonicalize = options.values[.canonicalizeHostname] ?? "false"
        if numeric == nil {
            name = try Canonicalizer(options: options, resolve: environment.resolveHost).apply(to: name)
        }
        if canonicalize != "false" { first.wantFinalPass = true }
        if first.wantFinalPass {
            options.values[.hostname] = name
            options = try read(options, host: name, originalHost: host, finalPass: true).options
        }
        try Defaults.fill(&options)
        return try SSHResolvedConfig(options: options, hostArgument: host, host: name, environment: environment)
    }

    /// Every pattern named on a `Host` line of the sources themselves (not of files they include), as
    /// Paramiko's `get_hostnames()` lists them. Unreadable files are skipped.
    public func hostPatterns() -> Set<String> {
        var patterns: Set<String> = []
        for source in sources {
            let text: String?
            switch source {
            case .file(let path, _, _): text = try? String(contentsOfFile: path, encoding: .utf8)
            case .text(let contents, _): text = contents
            }
            for line in (text ?? "").utf8.split(separator: 0x0A) {
                guard let raw = LineTokenizer.split(line: String(decoding: line, as: UTF8.self), number: 0),
                    raw.keyword == "host", let arguments = LineTokenizer.arguments(raw.rest)
                else { continue }
                patterns.formUnion(arguments)
            }
        }
        return patterns
    }

    private func read(_ options: Options, host: String, originalHost: String, finalPass: Bool) throws(ConfigError)
        -> ConfigReader
    {
        var reader = ConfigReader(options: options, environment: environment, host: host, originalHost: originalHost)
        for source in sources {
            switch source {
            case .file(let path, let isUserConfig, let checksPermissions):
                var flags: ConfigReader.Flags = isUserConfig ? [.userConfig] : []
                if checksPermissions { flags.insert(.checkPermissions) }
                if finalPass { flags.insert(.finalPass) }
                try reader.read(file: path, flags: flags, required: sources.count == 1)
            case .text(let text, let name):
                try reader.read(text: text, name: name, flags: finalPass ? [.userConfig, .finalPass] : [.userConfig])
            }
        }
        return reader
    }
}
