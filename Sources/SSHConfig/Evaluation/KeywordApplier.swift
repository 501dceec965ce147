/// Checks one option line and, when it applies, records its value unless one was already obtained
/// (ssh_config(5): "for each parameter, the first obtained value will be used"). Lines are checked whether or
/// not they apply, so a bad value anywhere is an error, as in `ssh`.
struct KeywordApplier {
    var context: LineContext

    private var active: Bool { context.active }

    private func bad(_ detail: String) -> ConfigError { context.error(.badValue, detail) }

    mutating func apply(_ keyword: SSHConfigKeyword, to options: inout Options) throws(ConfigError) {
        if let table = Self.multistates[keyword] {
            let word = context.next()
            guard let word, !word.isEmpty else { throw context.error(.missingArgument, "missing argument.") }
            guard let value = table.normalize(word) else { throw bad("unsupported option \"\(word)\".") }
            if active { options.setFirst(keyword, value) }
            return
        }
        if Self.integers.contains(keyword) {
            switch ConfigNumber.integer(context.next()) {
            case .success(let value): if active { options.setFirst(keyword, String(value)) }
            case .failure(let problem): throw bad("integer value \(problem.rawValue).")
            }
            return
        }
        if Self.times.contains(keyword) {
            if let seconds = try time(context.next()), active { options.setFirst(keyword, String(seconds)) }
            return
        }
        if Self.strings.contains(keyword) {
            let value = try context.required()
            if active { options.setFirst(keyword, value) }
            return
        }
        if let kind = Self.algorithmKinds[keyword] {
            try algorithms(keyword, kind: kind, options: &options)
            return
        }
        try applySpecial(keyword, to: &options)
    }

    /// Parses a time argument; nil for `none`, which leaves the option unset.
    private func time(_ argument: String?) throws(ConfigError) -> Int? {
        guard let argument, !argument.isEmpty else { throw context.error(.missingArgument, "missing time value.") }
        if argument == "none" { return nil }
        guard let seconds = SSHConfigDuration.seconds(argument) else { throw bad("invalid time value.") }
        return seconds
    }

    private mutating func algorithms(
        _ keyword: SSHConfigKeyword, kind: SSHAlgorithmCatalog.Kind, options: inout Options
    )
        throws(ConfigError)
    {
        let argument = try context.required()
        guard SSHAlgorithmList.isValidArgument(argument, kind: kind) else {
            switch kind {
            case .cipher: throw bad("Bad SSH2 cipher spec '\(argument)'.")
            case .mac: throw bad("Bad SSH2 MAC spec '\(argument)'.")
            case .kex: throw bad("Bad SSH2 KexAlgorithms '\(argument)'.")
            case .gssKex: throw bad("Bad GSSAPI KexAlgorithms '\(argument)'.")
            case .hostKey, .caSignature: throw bad("Bad key types '\(argument)'.")
            }
        }
        if active { options.setFirst(keyword, argument) }
    }

    /// The rest of the line as one command (`ProxyCommand`, `LocalCommand`, ...).
    private mutating func command() -> String {
        context.consumeAll()
        return String(context.line.rest.drop { $0 == " " || $0 == "\t" || $0 == "=" })
    }

    /// A list set all at once, `none` allowed only alone (`UserKnownHostsFile`, `GlobalKnownHostsFile`).
    private mutating func fileList(_ keyword: SSHConfigKeyword, options: inout Options) throws(ConfigError) {
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

    private mutating func applySpecial(_ keyword: SSHConfigKeyword, to options: inout Options) throws(ConfigError) {
        switch keyword {
        case .port:
            let argument = try context.required()
            guard let port = ConfigNumber.port(argument), port > 0 else { throw bad("Bad port '\(argument)'.") }
            if active { options.setFirst(.port, String(port)) }
        case .identityFile, .certificateFile:
            let path = try context.required()
            guard active else { return }
            if keyword == .identityFile {
                options.addIdentityFile(path, userProvided: context.userConfig)
            } else {
                options.addCertificateFile(path, userProvided: context.userConfig)
            }
        case .proxyCommand:
            let value = command()
            // OpenSSH 9.2 ignores ProxyCommand after a ProxyJump, but not after `ProxyJump none`.
            if active && (options.jumpHost == nil || options.jumpHost?.host == "none") {
                options.setFirst(.proxyCommand, value)
            }
        case .localCommand, .remoteCommand, .knownHostsCommand:
            let value = command()
            if active { options.setFirst(keyword, value) }
        case .proxyJump:
            try proxyJump(&options)
        case .globalKnownHostsFile, .userKnownHostsFile:
            try fileList(keyword, options: &options)
        case .logVerbose:
            while let argument = context.next() {
                if argument.isEmpty { throw bad("keyword logverbose empty argument") }
                if argument.lowercased() == "none" && context.remaining > 0 {
                    throw bad("keyword logverbose \"none\" argument must appear alone.")
                }
                // As in OpenSSH 9.2, only the first argument of the first line is kept.
                if active && options.lists[.logVerbose] == nil { options.lists[.logVerbose] = [argument] }
            }
        case .localForward, .remoteForward, .dynamicForward:
            try forward(keyword, options: &options)
        case .permitRemoteOpen:
            try permitRemoteOpen(&options)
        case .sendEnv:
            try sendEnv(&options)
        case .setEnv:
            var values: [String] = []
            while let argument = context.next() {
                guard let equals = argument.firstIndex(of: "=") else { throw bad("Invalid SetEnv.") }
                let name = argument[..<equals]
                if values.contains(where: { $0.prefix { $0 != "=" } == name }) { continue }
                values.append(argument)
            }
            if active && options.lists[.setEnv] == nil && !values.isEmpty { options.lists[.setEnv] = values }
        case .controlPersist:
            let argument = try context.required("Missing ControlPersist argument.")
            let value: String
            switch argument {
            case "no", "false": value = "no"
            case "yes", "true": value = "yes"
            default:
                guard let seconds = SSHConfigDuration.seconds(argument) else {
                    throw bad("Bad ControlPersist argument.")
                }
                value = seconds == 0 ? "yes" : String(seconds)
            }
            if active { options.setFirst(.controlPersist, value) }
        case .tunnelDevice:
            let argument = try context.required()
            guard let value = NamedValues.tunnelDevice(argument) else { throw bad("Bad tun device.") }
            if active { options.setFirst(.tunnelDevice, value) }
        case .escapeChar:
            let argument = try context.required()
            guard let code = NamedValues.escapeCharacter(argument) else { throw bad("Bad escape character.") }
            if active { options.setFirst(.escapeChar, NamedValues.escapeCharacterName(code)) }
        case .ipQoS:
            let first = context.next() ?? ""
            guard let interactive = NamedValues.ipQoSValue(first) else { throw bad("Bad IPQoS value: \(first)") }
            var bulk = interactive
            if let second = context.next() {
                guard let value = NamedValues.ipQoSValue(second) else { throw bad("Bad IPQoS value: \(second)") }
                bulk = value
            }
            let text = NamedValues.ipQoSName(interactive) + " " + NamedValues.ipQoSName(bulk)
            if active { options.setFirst(.ipQoS, text) }
        case .rekeyLimit:
            try rekeyLimit(&options)
        case .logLevel:
            let argument = context.next() ?? ""
            guard let name = NamedValues.logLevelName(argument) else {
                throw bad("unsupported log level '\(argument.isEmpty ? "<NONE>" : argument)'")
            }
            if active { options.setFirst(.logLevel, name) }
        case .syslogFacility:
            let argument = context.next() ?? ""
            guard let name = NamedValues.syslogFacilityName(argument) else {
                throw bad("unsupported log facility '\(argument.isEmpty ? "<NONE>" : argument)'")
            }
            options.setFirst(.syslogFacility, name)
        case .fingerprintHash:
            let argument = try context.required()
            guard let name = NamedValues.fingerprintHashName(argument) else {
                throw bad("Invalid hash algorithm \"\(argument)\".")
            }
            if active { options.setFirst(.fingerprintHash, name) }
        case .addKeysToAgent:
            try addKeysToAgent(&options)
        case .identityAgent:
            let path = try context.required()
            try checkAgentPath(path)
            if active { options.setFirst(.identityAgent, path) }
        case .forwardAgent:
            let argument = try context.required("missing argument.")
            if let flag = Multistate.flag.normalize(argument) {
                if active { options.setFirst(.forwardAgent, flag) }
            } else {
                try checkAgentPath(argument)
                if active { options.setFirst(.forwardAgent, argument) }
            }
        case .canonicalDomains:
            try canonicalDomains(&options)
        case .canonicalizePermittedCNAMEs:
            try permittedCNAMEs(&options)
        case .streamLocalBindMask:
            let argument = try context.required("Missing StreamLocalBindMask argument.")
            guard let mask = Int(argument.prefix { ("0"..."7").contains($0) }, radix: 8), mask <= 0o777 else {
                throw bad("Bad mask.")
            }
            options.streamLocalBindMask = mask
        default:
            preconditionFailure("keyword \(keyword) has no handler")
        }
    }

    private func checkAgentPath(_ path: String) throws(ConfigError) {
        let expander = SSHTokenExpander(tokens: [:], environment: context.variables)
        do {
            _ = try expander.expandEnvironment(path)
        } catch {
            throw bad("Invalid environment expansion \(path).")
        }
        if path.hasPrefix("$") && !path.hasPrefix("${") && !SSHTokenExpander.isValidName(String(path.dropFirst())) {
            throw bad("Invalid environment name \(path).")
        }
    }

    private mutating func proxyJump(_ options: inout Options) throws(ConfigError) {
        let text = command()
        guard !text.isEmpty else { throw context.error(.missingArgument, "Missing argument.") }
        let isNone = text.lowercased() == "none"
        let jump = isNone ? SSHJumpHost(user: nil, host: "none", port: 0, extra: nil) : SSHJumpHost.parse(text)
        guard let jump else { throw bad("Invalid ProxyJump \"\(text)\"") }
        guard active && !options.has(.proxyCommand) && options.jumpHost == nil else { return }
        options.jumpHost = jump
        if !isNone { options.values[.proxyCommand] = "none" }
    }

    private mutating func forward(_ keyword: SSHConfigKeyword, options: inout Options) throws(ConfigError) {
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

    private mutating func permitRemoteOpen(_ options: inout Options) throws(ConfigError) {
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

    private mutating func sendEnv(_ options: inout Options) throws(ConfigError) {
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

    private mutating func rekeyLimit(_ options: inout Options) throws(ConfigError) {
        let argument = try context.required()
        var bytes = 0
        if argument != "default" {
            guard let value = ConfigNumber.scaledBytes(argument) else { throw bad("Bad number '\(argument)'") }
            if value != 0 && value < 16 { throw bad("RekeyLimit too small") }
            bytes = value
        }
        if active { options.setFirst(.rekeyLimit, String(bytes)) }
        guard let interval = context.next() else { return }
        if interval == "none" { return }
        if let seconds = try time(interval), active, options.rekeyInterval == nil { options.rekeyInterval = seconds }
    }

    private mutating func addKeysToAgent(_ options: inout Options) throws(ConfigError) {
        let first = context.next()
        let second = context.next()
        guard let first, !first.isEmpty else { throw context.error(.missingArgument, "missing argument.") }
        var value = Multistate.yesNoAskConfirm.value(of: first)
        var lifespan = 0
        if value == 3, let second {
            guard let seconds = SSHConfigDuration.seconds(second) else { throw bad("invalid time value.") }
            lifespan = seconds
        } else if value == nil && second == nil {
            guard let seconds = SSHConfigDuration.seconds(first) else { throw bad("unsupported option") }
            lifespan = seconds
            value = 1
        } else if value == nil || second != nil {
            throw bad("unsupported option")
        }
        guard active, let value else { return }
        let text =
            lifespan <= 0
            ? Multistate.yesNoAskConfirm.name(of: value) : (value == 3 ? "confirm " : "") + String(lifespan)
        options.setFirst(.addKeysToAgent, text)
    }

    private mutating func canonicalDomains(_ options: inout Options) throws(ConfigError) {
        var values: [String] = []
        while let argument = context.next() {
            if argument.lowercased() == "none" && (!values.isEmpty || context.remaining > 0) {
                throw bad("keyword canonicaldomains \"none\" argument must appear alone.")
            }
            let allowed = argument.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            if !allowed || argument.isEmpty || argument.hasPrefix(".") || argument.hasPrefix("-") {
                throw bad("domain name \"\(argument)\" contains invalid characters")
            }
            values.append(argument)
        }
        if values.isEmpty { throw context.error(.missingArgument, "no canonicaldomains specified") }
        if active && options.lists[.canonicalDomains] == nil { options.lists[.canonicalDomains] = values }
    }

    private mutating func permittedCNAMEs(_ options: inout Options) throws(ConfigError) {
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

    static let multistates: [SSHConfigKeyword: Multistate] = {
        var table: [SSHConfigKeyword: Multistate] = [
            .pubkeyAuthentication: .pubkeyAuthentication, .verifyHostKeyDNS: .yesNoAsk,
            .strictHostKeyChecking: .strictHostKey, .compression: .compression, .addressFamily: .addressFamily,
            .controlMaster: .controlMaster, .tunnel: .tunnel, .requestTTY: .requestTTY, .sessionType: .sessionType,
            .canonicalizeHostname: .canonicalizeHostname, .updateHostKeys: .yesNoAsk,
        ]
        let flags: [SSHConfigKeyword] = [
            .forwardX11, .forwardX11Trusted, .gatewayPorts, .exitOnForwardFailure, .passwordAuthentication,
            .kbdInteractiveAuthentication, .hostbasedAuthentication, .gssapiAuthentication, .gssapiKeyExchange,
            .gssapiDelegateCredentials, .gssapiTrustDNS, .gssapiRenewalForcesRekey, .batchMode, .checkHostIP,
            .tcpKeepAlive, .noHostAuthenticationForLocalhost, .clearAllForwardings, .enableSSHKeysign,
            .identitiesOnly, .hashKnownHosts, .permitLocalCommand, .visualHostKey, .stdinNull,
            .forkAfterAuthentication, .proxyUseFdpass, .canonicalizeFallbackLocal, .streamLocalBindUnlink,
            .enableEscapeCommandline,
        ]
        for keyword in flags { table[keyword] = .flag }
        return table
    }()

    static let integers: Set<SSHConfigKeyword> = [
        .numberOfPasswordPrompts, .connectionAttempts, .serverAliveCountMax, .canonicalizeMaxDots, .requiredRSASize,
    ]
    static let times: Set<SSHConfigKeyword> = [.connectTimeout, .forwardX11Timeout, .serverAliveInterval]
    static let strings: Set<SSHConfigKeyword> = [
        .kbdInteractiveDevices, .gssapiClientIdentity, .gssapiServerIdentity, .xauthLocation, .user, .hostname,
        .hostKeyAlias, .preferredAuthentications, .bindAddress, .bindInterface, .pkcs11Provider,
        .securityKeyProvider, .controlPath, .ignoreUnknown, .revokedHostKeys,
    ]
    static let algorithmKinds: [SSHConfigKeyword: SSHAlgorithmCatalog.Kind] = [
        .ciphers: .cipher, .macs: .mac, .kexAlgorithms: .kex, .hostKeyAlgorithms: .hostKey,
        .caSignatureAlgorithms: .caSignature, .hostbasedAcceptedAlgorithms: .hostKey,
        .pubkeyAcceptedAlgorithms: .hostKey, .gssapiKexAlgorithms: .gssKex,
    ]
}
