/// Checks one option line and, when it applies, records its value unless one was already obtained
/// (ssh_config(5): "for each parameter, the first obtained value will be used"). Lines are checked whether or
/// not they apply, so a bad value anywhere is an error, as in `ssh`.
struct KeywordApplier {
    var context: LineContext

    var active: Bool { context.active }

    func bad(_ detail: String) -> ConfigError { context.error(.badValue, detail) }

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
                guard active else { return }
                options.setFirst(.forwardAgent, "yes")
                if options.forwardAgentPath == nil { options.forwardAgentPath = argument }
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
