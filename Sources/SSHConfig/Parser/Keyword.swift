/// The keywords of ssh_config(5) as OpenSSH 9.2 knows them. The raw value is the name `ssh -G` prints.
public enum SSHConfigKeyword: String, CaseIterable, Sendable {
    case host, match, include
    case forwardAgent = "forwardagent"
    case forwardX11 = "forwardx11"
    case forwardX11Trusted = "forwardx11trusted"
    case forwardX11Timeout = "forwardx11timeout"
    case gatewayPorts = "gatewayports"
    case exitOnForwardFailure = "exitonforwardfailure"
    case passwordAuthentication = "passwordauthentication"
    case xauthLocation = "xauthlocation"
    case identityFile = "identityfile"
    case hostname, port
    case remoteForward = "remoteforward"
    case localForward = "localforward"
    case permitRemoteOpen = "permitremoteopen"
    case certificateFile = "certificatefile"
    case addKeysToAgent = "addkeystoagent"
    case identityAgent = "identityagent"
    case user
    case escapeChar = "escapechar"
    case proxyCommand = "proxycommand"
    case globalKnownHostsFile = "globalknownhostsfile"
    case userKnownHostsFile = "userknownhostsfile"
    case connectionAttempts = "connectionattempts"
    case batchMode = "batchmode"
    case checkHostIP = "checkhostip"
    case strictHostKeyChecking = "stricthostkeychecking"
    case compression
    case tcpKeepAlive = "tcpkeepalive"
    case numberOfPasswordPrompts = "numberofpasswordprompts"
    case syslogFacility = "syslogfacility"
    case logLevel = "loglevel"
    case logVerbose = "logverbose"
    case ciphers, macs
    case pubkeyAuthentication = "pubkeyauthentication"
    case kbdInteractiveAuthentication = "kbdinteractiveauthentication"
    case kbdInteractiveDevices = "kbdinteractivedevices"
    case hostKeyAlias = "hostkeyalias"
    case dynamicForward = "dynamicforward"
    case preferredAuthentications = "preferredauthentications"
    case hostbasedAuthentication = "hostbasedauthentication"
    case hostKeyAlgorithms = "hostkeyalgorithms"
    case bindAddress = "bindaddress"
    case bindInterface = "bindinterface"
    case pkcs11Provider = "pkcs11provider"
    case clearAllForwardings = "clearallforwardings"
    case noHostAuthenticationForLocalhost = "nohostauthenticationforlocalhost"
    case enableSSHKeysign = "enablesshkeysign"
    case rekeyLimit = "rekeylimit"
    case verifyHostKeyDNS = "verifyhostkeydns"
    case connectTimeout = "connecttimeout"
    case addressFamily = "addressfamily"
    case gssapiAuthentication = "gssapiauthentication"
    case gssapiDelegateCredentials = "gssapidelegatecredentials"
    case gssapiTrustDNS = "gssapitrustdns"
    case gssapiKeyExchange = "gssapikeyexchange"
    case gssapiClientIdentity = "gssapiclientidentity"
    case gssapiRenewalForcesRekey = "gssapirenewalforcesrekey"
    case gssapiServerIdentity = "gssapiserveridentity"
    case gssapiKexAlgorithms = "gssapikexalgorithms"
    case serverAliveInterval = "serveraliveinterval"
    case serverAliveCountMax = "serveralivecountmax"
    case identitiesOnly = "identitiesonly"
    case sendEnv = "sendenv"
    case setEnv = "setenv"
    case controlPath = "controlpath"
    case controlMaster = "controlmaster"
    case controlPersist = "controlpersist"
    case hashKnownHosts = "hashknownhosts"
    case tunnel
    case tunnelDevice = "tunneldevice"
    case localCommand = "localcommand"
    case permitLocalCommand = "permitlocalcommand"
    case remoteCommand = "remotecommand"
    case visualHostKey = "visualhostkey"
    case kexAlgorithms = "kexalgorithms"
    case ipQoS = "ipqos"
    case requestTTY = "requesttty"
    case sessionType = "sessiontype"
    case stdinNull = "stdinnull"
    case forkAfterAuthentication = "forkafterauthentication"
    case ignoreUnknown = "ignoreunknown"
    case proxyUseFdpass = "proxyusefdpass"
    case canonicalDomains = "canonicaldomains"
    case canonicalizeHostname = "canonicalizehostname"
    case canonicalizeMaxDots = "canonicalizemaxdots"
    case canonicalizeFallbackLocal = "canonicalizefallbacklocal"
    case canonicalizePermittedCNAMEs = "canonicalizepermittedcnames"
    case streamLocalBindMask = "streamlocalbindmask"
    case streamLocalBindUnlink = "streamlocalbindunlink"
    case revokedHostKeys = "revokedhostkeys"
    case fingerprintHash = "fingerprinthash"
    case updateHostKeys = "updatehostkeys"
    case hostbasedAcceptedAlgorithms = "hostbasedacceptedalgorithms"
    case pubkeyAcceptedAlgorithms = "pubkeyacceptedalgorithms"
    case caSignatureAlgorithms = "casignaturealgorithms"
    case proxyJump = "proxyjump"
    case securityKeyProvider = "securitykeyprovider"
    case knownHostsCommand = "knownhostscommand"
    case requiredRSASize = "requiredrsasize"
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
