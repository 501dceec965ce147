/// OpenSSH 9.2's `fill_default_options`: the values of options no file set.
enum Defaults {
    static let scalars: [SSHConfigKeyword: String] = [
        .forwardAgent: "no", .forwardX11: "no", .forwardX11Trusted: "yes", .forwardX11Timeout: "1200",
        .exitOnForwardFailure: "no", .clearAllForwardings: "no", .xauthLocation: "/usr/bin/xauth",
        .gatewayPorts: "no", .streamLocalBindUnlink: "no", .pubkeyAuthentication: "true",
        .gssapiAuthentication: "no", .gssapiKeyExchange: "no", .gssapiDelegateCredentials: "no",
        .gssapiTrustDNS: "no", .gssapiRenewalForcesRekey: "no", .passwordAuthentication: "yes",
        .kbdInteractiveAuthentication: "yes", .hostbasedAuthentication: "no", .batchMode: "no",
        .checkHostIP: "no", .strictHostKeyChecking: "ask", .compression: "no", .tcpKeepAlive: "yes",
        .addressFamily: "any", .connectionAttempts: "1", .numberOfPasswordPrompts: "3", .addKeysToAgent: "false",
        .escapeChar: "~", .logLevel: "INFO", .syslogFacility: "USER", .noHostAuthenticationForLocalhost: "no",
        .identitiesOnly: "no", .enableSSHKeysign: "no", .rekeyLimit: "0", .verifyHostKeyDNS: "false",
        .serverAliveCountMax: "3", .controlMaster: "false", .controlPersist: "no", .hashKnownHosts: "no",
        .tunnel: "false", .tunnelDevice: "any:any", .permitLocalCommand: "no", .visualHostKey: "no",
        .ipQoS: "lowdelay throughput", .requestTTY: "auto", .sessionType: "default", .stdinNull: "no",
        .forkAfterAuthentication: "no", .proxyUseFdpass: "no", .canonicalizeMaxDots: "1",
        .canonicalizeFallbackLocal: "yes", .canonicalizeHostname: "false", .fingerprintHash: "SHA256",
        .securityKeyProvider: "internal", .requiredRSASize: "1024", .enableEscapeCommandline: "no",
        .gssapiKexAlgorithms: SSHAlgorithmCatalog.defaultGSSKex.joined(separator: ","),
    ]

    static let identityFiles = [
        "~/.ssh/id_rsa", "~/.ssh/id_ecdsa", "~/.ssh/id_ecdsa_sk", "~/.ssh/id_ed25519", "~/.ssh/id_ed25519_sk",
        "~/.ssh/id_xmss", "~/.ssh/id_dsa",
    ]

    /// Options that the keyword `none` clears.
    static let clearedByNone: [SSHConfigKeyword] = [
        .localCommand, .remoteCommand, .proxyCommand, .controlPath, .revokedHostKeys, .pkcs11Provider,
        .securityKeyProvider, .knownHostsCommand,
    ]

    static let assembled: [(SSHConfigKeyword, SSHAlgorithmCatalog.Kind)] = [
        (.ciphers, .cipher), (.macs, .mac), (.kexAlgorithms, .kex), (.hostbasedAcceptedAlgorithms, .hostKey),
        (.pubkeyAcceptedAlgorithms, .hostKey), (.caSignatureAlgorithms, .caSignature), (.hostKeyAlgorithms, .hostKey),
    ]

    /// Fills unset options as OpenSSH does once all files are read.
    static func fill(_ options: inout Options) throws(ConfigError) {
        if options.values[.clearAllForwardings] == "yes" {
            options.localForwards = []
            options.remoteForwards = []
            options.values[.tunnel] = "false"
        }
        if options.values[.updateHostKeys] == nil {
            let userFiles = options.lists[.userKnownHostsFile] ?? []
            let dns = options.values[.verifyHostKeyDNS] ?? "false"
            let defaultFiles = userFiles.isEmpty || userFiles == ["~/.ssh/known_hosts"]
            options.values[.updateHostKeys] = dns == "false" && defaultFiles ? "true" : "false"
        }
        if options.values[.serverAliveInterval] == nil {
            options.values[.serverAliveInterval] = options.values[.batchMode] == "yes" ? "300" : "0"
        }
        for (keyword, value) in scalars where options.values[keyword] == nil { options.values[keyword] = value }
        if options.identityFiles.isEmpty {
            options.identityFiles = identityFiles.map { ($0, false) }
        }
        if options.lists[.globalKnownHostsFile] == nil {
            options.lists[.globalKnownHostsFile] = ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]
        }
        if options.lists[.userKnownHostsFile] == nil {
            options.lists[.userKnownHostsFile] = ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]
        }
        if options.streamLocalBindMask == nil { options.streamLocalBindMask = 0o177 }
        if options.rekeyInterval == nil { options.rekeyInterval = 0 }
        for (keyword, kind) in assembled {
            do {
                let list = try SSHAlgorithmList.assemble(options.values[keyword], kind: kind)
                options.values[keyword] = list.joined(separator: ",")
            } catch {
                throw ConfigError(
                    .badValue, "\(keyword.rawValue): invalid algorithm list \(options.values[keyword] ?? "")")
            }
        }
        for keyword in clearedByNone where options.values[keyword]?.lowercased() == "none" {
            options.values[keyword] = nil
        }
        if let jump = options.jumpHost, jump.host == "none", jump.port == 0, jump.user == nil {
            options.jumpHost = nil
        }
        if options.lists[.canonicalizePermittedCNAMEs] == ["none:"] {
            options.lists[.canonicalizePermittedCNAMEs] = nil
        }
    }
}
