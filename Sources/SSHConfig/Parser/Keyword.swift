/// The keywords of ssh_config(5) as OpenSSH 9.2 knows them. The raw value is the name `ssh -G` prints.
public enum SSHConfigKeyword: String, CaseIterable, Sendable {
    case host, match, include
    case forwardAgent = "forwardagent", forwardX11 = "forwardx11", forwardX11Trusted = "forwardx11trusted"
    case forwardX11Timeout = "forwardx11timeout", gatewayPorts = "gatewayports"
    case exitOnForwardFailure = "exitonforwardfailure", passwordAuthentication = "passwordauthentication"
    case xauthLocation = "xauthlocation", identityFile = "identityfile", hostname, port
    case remoteForward = "remoteforward", localForward = "localforward", permitRemoteOpen = "permitremoteopen"
    case certificateFile = "certificatefile", addKeysToAgent = "addkeystoagent", identityAgent = "identityagent"
    case user, escapeChar = "escapechar", proxyCommand = "proxycommand"
    case globalKnownHostsFile = "globalknownhostsfile", userKnownHostsFile = "userknownhostsfile"
    case connectionAttempts = "connectionattempts", batchMode = "batchmode", checkHostIP = "checkhostip"
    case strictHostKeyChecking = "stricthostkeychecking", compression, tcpKeepAlive = "tcpkeepalive"
    case numberOfPasswordPrompts = "numberofpasswordprompts", syslogFacility = "syslogfacility"
    case logLevel = "loglevel", logVerbose = "logverbose", ciphers, macs
    case pubkeyAuthentication = "pubkeyauthentication"
    case kbdInteractiveAuthentication = "kbdinteractiveauthentication"
    case kbdInteractiveDevices = "kbdinteractivedevices", hostKeyAlias = "hostkeyalias"
    case dynamicForward = "dynamicforward", preferredAuthentications = "preferredauthentications"
    case hostbasedAuthentication = "hostbasedauthentication", hostKeyAlgorithms = "hostkeyalgorithms"
    case bindAddress = "bindaddress", bindInterface = "bindinterface", pkcs11Provider = "pkcs11provider"
    case clearAllForwardings = "clearallforwardings"
    case noHostAuthenticationForLocalhost = "nohostauthenticationforlocalhost"
    case enableSSHKeysign = "enablesshkeysign", rekeyLimit = "rekeylimit", verifyHostKeyDNS = "verifyhostkeydns"
    case connectTimeout = "connecttimeout", addressFamily = "addressfamily"
    case gssapiAuthentication = "gssapiauthentication", gssapiDelegateCredentials = "gssapidelegatecredentials"
    case gssapiTrustDNS = "gssapitrustdns", gssapiKeyExchange = "gssapikeyexchange"
    case gssapiClientIdentity = "gssapiclientidentity", gssapiRenewalForcesRekey = "gssapirenewalforcesrekey"
    case gssapiServerIdentity = "gssapiserveridentity", gssapiKexAlgorithms = "gssapikexalgorithms"
    case serverAliveInterval = "serveraliveinterval", serverAliveCountMax = "serveralivecountmax"
    case identitiesOnly = "identitiesonly", sendEnv = "sendenv", setEnv = "setenv"
    case controlPath = "controlpath", controlMaster = "controlmaster", controlPersist = "controlpersist"
    case hashKnownHosts = "hashknownhosts", tunnel, tunnelDevice = "tunneldevice"
    case localCommand = "localcommand", permitLocalCommand = "permitlocalcommand", remoteCommand = "remotecommand"
    case visualHostKey = "visualhostkey", kexAlgorithms = "kexalgorithms", ipQoS = "ipqos"
    case requestTTY = "requesttty", sessionType = "sessiontype", stdinNull = "stdinnull"
    case forkAfterAuthentication = "forkafterauthentication", ignoreUnknown = "ignoreunknown"
    case proxyUseFdpass = "proxyusefdpass", canonicalDomains = "canonicaldomains"
    case canonicalizeHostname = "canonicalizehostname", canonicalizeMaxDots = "canonicalizemaxdots"
    case canonicalizeFallbackLocal = "canonicalizefallbacklocal"
    case canonicalizePermittedCNAMEs = "canonicalizepermittedcnames"
    case streamLocalBindMask = "streamlocalbindmask", streamLocalBindUnlink = "streamlocalbindunlink"
    case revokedHostKeys = "revokedhostkeys", fingerprintHash = "fingerprinthash"
    case updateHostKeys = "updatehostkeys", hostbasedAcceptedAlgorithms = "hostbasedacceptedalgorithms"
    case pubkeyAcceptedAlgorithms = "pubkeyacceptedalgorithms", caSignatureAlgorithms = "casignaturealgorithms"
    case proxyJump = "proxyjump", securityKeyProvider = "securitykeyprovider"
    case knownHostsCommand = "knownhostscommand", requiredRSASize = "requiredrsasize"
    case enableEscapeCommandline = "enableescapecommandline"

    /// How a name in a configuration file is read, before `IgnoreUnknown` is consulted.
    enum Lookup {
        case keyword(SSHConfigKeyword)
        /// Accepted and silently ignored (`Protocol`).
        case ignored
        /// Accepted with a debug note (`Cipher`, `UseRoaming`, ...).
        case deprecated
        /// Accepted with a warning (`CompressionLevel`, `RSAAuthentication`, ...).
        case unsupported
    }

    private static let aliases: [String: SSHConfigKeyword] = [
        "challengeresponseauthentication": .kbdInteractiveAuthentication,
        "skeyauthentication": .kbdInteractiveAuthentication,
        "tisauthentication": .kbdInteractiveAuthentication,
        "dsaauthentication": .pubkeyAuthentication,
        "identityfile2": .identityFile,
        "keepalive": .tcpKeepAlive,
        "smartcarddevice": .pkcs11Provider,
        "hostbasedkeytypes": .hostbasedAcceptedAlgorithms,
        "pubkeyacceptedkeytypes": .pubkeyAcceptedAlgorithms,
        // Debian's compatibility aliases for ServerAliveInterval.
        "protocolkeepalives": .serverAliveInterval,
        "setuptimeout": .serverAliveInterval,
    ]
    private static let deprecated: Set<String> = [
        "cipher", "fallbacktorsh", "globalknownhostsfile2", "rhostsauthentication", "useblacklistedkeys",
        "userknownhostsfile2", "useroaming", "usersh", "useprivilegedport",
    ]
    private static let unsupported: Set<String> = [
        "afstokenpassing", "kerberosauthentication", "kerberostgtpassing", "rsaauthentication",
        "rhostsrsaauthentication", "compressionlevel",
    ]

    /// Looks up a lowercased keyword.
    static func lookup(_ name: String) -> Lookup? {
        if name == "protocol" { return .ignored }
        if deprecated.contains(name) { return .deprecated }
        if unsupported.contains(name) { return .unsupported }
        if let alias = aliases[name] { return .keyword(alias) }
        return SSHConfigKeyword(rawValue: name).map { .keyword($0) }
    }
}
