/// Renders resolved options as the lines `ssh -G` prints (OpenSSH 9.2's `dump_client_config`): the host,
/// user, hostname and port first, then flags, integers, strings, forwardings, lists and the special cases,
/// each in OpenSSH's order and format.
struct DumpRenderer {
    let config: SSHResolvedConfig

    /// Keywords `ssh -G` may print on several lines; the dictionary form holds them as lists.
    static let repeatedKeywords: Set<String> = [
        "identityfile", "certificatefile", "localforward", "remoteforward", "dynamicforward", "sendenv", "setenv",
    ]

    static let flagOrder: [SSHConfigKeyword] = [
        .addressFamily, .batchMode, .canonicalizeFallbackLocal, .canonicalizeHostname, .checkHostIP, .compression,
        .controlMaster, .enableSSHKeysign, .clearAllForwardings, .exitOnForwardFailure, .fingerprintHash,
        .forwardX11, .forwardX11Trusted, .gatewayPorts, .gssapiAuthentication, .gssapiKeyExchange,
        .gssapiDelegateCredentials, .gssapiTrustDNS, .gssapiRenewalForcesRekey, .gssapiClientIdentity,
        .gssapiServerIdentity, .gssapiKexAlgorithms, .hashKnownHosts, .hostbasedAuthentication, .identitiesOnly,
        .kbdInteractiveAuthentication, .noHostAuthenticationForLocalhost, .passwordAuthentication,
        .permitLocalCommand, .proxyUseFdpass, .pubkeyAuthentication, .requestTTY, .sessionType, .stdinNull,
        .forkAfterAuthentication, .streamLocalBindUnlink, .strictHostKeyChecking, .tcpKeepAlive, .tunnel,
        .verifyHostKeyDNS, .visualHostKey, .updateHostKeys, .enableEscapeCommandline,
        .canonicalizeMaxDots, .connectionAttempts, .forwardX11Timeout, .numberOfPasswordPrompts,
        .serverAliveCountMax, .serverAliveInterval, .requiredRSASize,
        .bindAddress, .bindInterface, .ciphers, .controlPath, .hostKeyAlgorithms, .hostKeyAlias,
        .hostbasedAcceptedAlgorithms, .identityAgent, .ignoreUnknown, .kbdInteractiveDevices, .kexAlgorithms,
        .caSignatureAlgorithms, .localCommand, .remoteCommand, .logLevel, .macs, .pkcs11Provider,
        .securityKeyProvider, .preferredAuthentications, .pubkeyAcceptedAlgorithms, .revokedHostKeys,
        .xauthLocation, .knownHostsCommand,
    ]

    func lines() -> [String] {
        let options = config.options
        var out: [String] = []
        func emit(_ keyword: SSHConfigKeyword, _ value: String?) {
            if let value { out.append(keyword.rawValue + " " + value) }
        }
        func emitList(_ keyword: SSHConfigKeyword, _ values: [String]) {
            out.append(keyword.rawValue + (values.isEmpty ? " none" : " " + values.joined(separator: " ")))
        }
        out.append("host " + config.hostArgument)
        emit(.user, options.values[.user])
        emit(.hostname, config.hostname)
        emit(.port, options.values[.port])
        for keyword in Self.flagOrder { emit(keyword, options.values[keyword]) }

        // As OpenSSH does, a local forwarding to a socket path (no destination host) shows under both names.
        for forward in options.localForwards where forward.connectHost == nil || forward.isDynamic {
            emit(.dynamicForward, forward.rendered(dynamic: true))
        }
        for forward in options.localForwards where !forward.isDynamic {
            emit(.localForward, forward.rendered(dynamic: false))
        }
        for forward in options.remoteForwards { emit(.remoteForward, forward.rendered(dynamic: false)) }

        for file in options.identityFiles { emit(.identityFile, file.path) }
        emitList(.canonicalDomains, options.lists[.canonicalDomains] ?? [])
        for file in options.certificateFiles { emit(.certificateFile, file.path) }
        emitList(.globalKnownHostsFile, options.lists[.globalKnownHostsFile] ?? [])
        emitList(.userKnownHostsFile, options.lists[.userKnownHostsFile] ?? [])
        for name in options.sendEnv { emit(.sendEnv, name) }
        for assignment in options.lists[.setEnv] ?? [] { emit(.setEnv, assignment) }
        emitList(.logVerbose, options.lists[.logVerbose] ?? [])

        emit(.permitRemoteOpen, (options.lists[.permitRemoteOpen] ?? ["any"]).joined(separator: " "))
        emit(.addKeysToAgent, options.values[.addKeysToAgent])
        emit(.forwardAgent, options.forwardAgentPath ?? options.values[.forwardAgent])
        emit(.connectTimeout, options.values[.connectTimeout] ?? "none")
        emit(.tunnelDevice, options.values[.tunnelDevice])
        let cnames = options.lists[.canonicalizePermittedCNAMEs] ?? []
        out.append("canonicalizePermittedcnames" + (cnames.isEmpty ? " none" : " " + cnames.joined(separator: " ")))
        emit(.controlPersist, options.values[.controlPersist])
        emit(.escapeChar, options.values[.escapeChar])
        emit(.ipQoS, options.values[.ipQoS])
        emit(.rekeyLimit, (options.values[.rekeyLimit] ?? "0") + " " + String(options.rekeyInterval ?? 0))
        emit(.streamLocalBindMask, "0" + String(options.streamLocalBindMask ?? 0o177, radix: 8))
        emit(.syslogFacility, options.values[.syslogFacility])
        if let jump = options.jumpHost {
            out.append("proxyjump " + jump.rendered)
        } else {
            emit(.proxyCommand, options.values[.proxyCommand])
        }
        return out
    }
}
