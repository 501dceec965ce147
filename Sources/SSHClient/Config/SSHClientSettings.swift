import Foundation
import SSHAuth
import SSHConfig
import SSHWire
import SSHTransport

/// What an evaluated ssh_config (ssh_config(5), ``SSHConfig/SSHResolvedConfig``) says about a
/// connection, in ``SSHClient``'s terms: HostName, Port, User, IdentityFile, IdentitiesOnly,
/// CertificateFile (beside the key, as ssh finds it), ProxyCommand, ProxyJump, ForwardAgent,
/// the forwardings, Compression, ServerAliveInterval/CountMax, ConnectTimeout,
/// StrictHostKeyChecking, UserKnownHostsFile, GlobalKnownHostsFile, HashKnownHosts, the algorithm lists, SendEnv/SetEnv, RequestTTY,
/// BatchMode, PasswordAuthentication, PubkeyAuthentication, KbdInteractiveAuthentication,
/// PreferredAuthentications, NumberOfPasswordPrompts, LogLevel, EscapeChar, EnableEscapeCommandline, RemoteCommand,
/// SessionType, StdinNull, ForkAfterAuthentication, AddKeysToAgent, VisualHostKey, LocalCommand with PermitLocalCommand, RekeyLimit,
/// ConnectionAttempts, TCPKeepAlive, GatewayPorts, ExitOnForwardFailure, ClearAllForwardings, AddressFamily,
/// ControlPath, ControlMaster, ControlPersist,
/// BindAddress, BindInterface, UpdateHostKeys and the GSSAPI options.
public struct SSHClientSettings: Sendable {
    /// The host to connect to (HostName).
    public var host: String
    /// The port.
    public var port: Int
    /// The user to log in as.
    public var user: String
    /// The credentials, in ssh's order.
    public var authentication: AuthStrategy
    /// The host-key policy.
    public var hostKeyPolicy: SSHHostKeyPolicy
    /// Timeouts, algorithms, proxies, keepalive.
    public var configuration: SSHClientConfiguration
    /// LocalForward lines.
    public var localForwards: [SSHForwarding]
    /// RemoteForward lines.
    public var remoteForwards: [SSHForwarding]
    /// DynamicForward lines.
    public var dynamicForwards: [SSHForwarding]
    /// The variables to send (SendEnv patterns matched against `environment`, then SetEnv).
    public var environment: [String: String]
    /// RequestTTY: yes, no, force or auto (nil).
    public var requestTTY: String?
    /// BatchMode: never ask anything.
    public var batchMode: Bool
    /// PasswordAuthentication.
    public var passwordAuthentication: Bool
    /// The agent socket whose keys are offered (IdentityAgent, else `SSH_AUTH_SOCK`).
    public var identityAgent: String?
    /// UserKnownHostsFile then GlobalKnownHostsFile: the files a host key is looked up in, the
    /// first the one a new key is added to.
    public var knownHostsFiles: [String]
    /// HashKnownHosts: whether added host names are hashed.
    public var hashKnownHosts: Bool
    /// Whether StrictHostKeyChecking is `ask` (ssh's default) outside BatchMode: ``hostKeyPolicy``
    /// then refuses a new key, and a caller that can ask its user replaces it with one that asks.
    public var asksAboutNewHostKeys: Bool
    /// ForwardX11 with the display (`DISPLAY`) to forward to: the caller, which can run xauth,
    /// builds the ``X11Forwarding`` from it. Nil when ForwardX11 is off or there is no display.
    public var x11Display: X11Display?
    /// ForwardX11Trusted: the display's own cookie; otherwise an untrusted one xauth generates.
    public var x11Trusted: Bool
    /// ForwardX11Timeout in seconds: how long an untrusted cookie lasts (0: no limit).
    public var x11Timeout: Int
    /// XAuthLocation: the xauth program.
    public var xauthLocation: String
    /// Whether UpdateHostKeys is `ask` outside BatchMode: the configuration then updates known_hosts
    /// only once a caller that can ask its user sets ``SSHClientConfiguration/hostKeyUpdateApproval``.
    public var asksBeforeUpdatingHostKeys = false
    /// LogLevel, as ssh_config spells it (QUIET, FATAL, ERROR, INFO, VERBOSE, DEBUG…).
    public var logLevel: String
    /// EscapeChar: the byte that starts an escape sequence in an interactive session; nil for none.
    public var escapeCharacter: UInt8?
    /// EnableEscapeCommandline: whether the `~C` command line is available.
    public var enableEscapeCommandline: Bool
    /// VisualHostKey: whether the server's key is shown as randomart too.
    public var visualHostKey: Bool
    /// AddKeysToAgent: whether a key file's key, once it signs, goes to the agent, and how; nil for no.
    public var addKeysToAgent: AgentAddition?

    /// How AddKeysToAgent hands a key to the agent (ssh_config(5)).
    public struct AgentAddition: Sendable, Equatable {
        /// `ask`: only if our user says yes.
        public var ask = false
        /// `confirm`: the agent asks its user before each use.
        public var confirm = false
        /// A time: the agent forgets the key after so many seconds.
        public var lifetime: Int?
    }

    /// LocalCommand, when PermitLocalCommand allows it: run here once connected, tokens expanded
    /// (`%T` as `NONE`; ``localCommand(tunnelInterface:)`` gives it the tunnel's interface).
    public var localCommand: String?
    /// The configuration LocalCommand's tokens come from.
    private var localCommandSource: SSHResolvedConfig?
    /// Tunnel and TunnelDevice (ssh -w): the tunnel forwarding to request, nil for `Tunnel no`.
    public var tunnel: TunnelRequest?

    /// A tunnel forwarding as `Tunnel` and `TunnelDevice` ask for it (OpenSSH PROTOCOL §2.3).
    public struct TunnelRequest: Sendable, Hashable {
        /// Point-to-point (tun) or Ethernet (tap).
        public var mode: TunnelMode
        /// This host's device.
        public var localUnit: TunnelUnit
        /// The server's device.
        public var remoteUnit: TunnelUnit

        /// A request for `mode` between `localUnit` and `remoteUnit`.
        public init(mode: TunnelMode, localUnit: TunnelUnit = .any, remoteUnit: TunnelUnit = .any) {
            self.mode = mode
            self.localUnit = localUnit
            self.remoteUnit = remoteUnit
        }
    }

    /// LocalCommand with `%T` standing for `interface`, the local end of the tunnel forwarding.
    public func localCommand(tunnelInterface interface: String) -> String? {
        guard let localCommandSource, let template = localCommandSource.string(.localCommand) else { return localCommand }
        return (try? localCommandSource.expand(template, extra: ["T": interface])) ?? localCommand
    }
    /// RemoteCommand: the command to run when none is given; nil for none.
    public var remoteCommand: String?
    /// SessionType: `default` (a shell or command), `none` (forwardings only) or `subsystem`.
    public var sessionType: String
    /// StdinNull: read no standard input, as with `ssh -n`.
    public var stdinNull: Bool
    /// GatewayPorts: local forwardings named by port alone listen on every address, not loopback only.
    public var gatewayPorts: Bool
    /// ForkAfterAuthentication: go to the background once authenticated (`ssh -f`).
    public var forkAfterAuthentication: Bool
    /// ExitOnForwardFailure: a forwarding that cannot be set up ends the connection instead of
    /// being warned about.
    public var exitOnForwardFailure: Bool
    /// ControlPath: the control socket through which connections to this host are shared
    /// (OpenSSH's PROTOCOL.mux), tokens expanded; nil for none.
    public var controlPath: String?
    /// ControlMaster: `yes` or `ask` to share this connection, `no` to use a shared one when
    /// there is one, `auto` or `autoask` for either.
    public var controlMaster: SSHConfigAnswer
    /// ControlPersist: how long a master stays in the background once idle, in seconds (0 for as
    /// long as it is not told to exit); nil for no.
    public var controlPersist: Int?

    /// The settings `resolved` describes; `localEnvironment` supplies SendEnv's variables and
    /// `SSH_AUTH_SOCK`.
    public init(resolved: SSHResolvedConfig, localEnvironment: [String: String] = ProcessInfo.processInfo.environment)
        throws(SSHClientError)
    {
        host = resolved.hostname
        port = resolved.port
        user = resolved.user
        var strategy = AuthStrategy()
        strategy.keyFiles = resolved.identityFiles.filter { FileManager.default.fileExists(atPath: $0) }
        strategy.certificateFiles = resolved.certificateFiles.filter { FileManager.default.fileExists(atPath: $0) }
        strategy.lookForKeys = false
        strategy.identitiesOnly = resolved.bool(.identitiesOnly) ?? false
        strategy.promptAttempts = max(0, resolved.int(.numberOfPasswordPrompts) ?? 3)
        let gssapi = GSSAPICredential(
            serverHost: resolved.string(.gssapiServerIdentity) ?? resolved.hostname,
            delegatesCredentials: resolved.bool(.gssapiDelegateCredentials) ?? false,
            clientPrincipal: resolved.string(.gssapiClientIdentity))
        if resolved.bool(.gssapiAuthentication) == true { strategy.gssapi = gssapi }
        let gssKeyExchange = resolved.bool(.gssapiKeyExchange) == true
        strategy.gssapiKeyExchange = gssKeyExchange
        // PreferredAuthentications, less the methods turned off.
        var turnedOff: Set<String> = []
        if resolved.bool(.pubkeyAuthentication) == false { turnedOff.insert("publickey") }
        if resolved.bool(.kbdInteractiveAuthentication) == false { turnedOff.insert("keyboard-interactive") }
        if resolved.bool(.passwordAuthentication) == false { turnedOff.insert("password") }
        let preferred = resolved.string(.preferredAuthentications)?.split(separator: ",").map(String.init)
            ?? Self.defaultPreferredAuthentications
        strategy.preferredMethods = preferred.filter { !turnedOff.contains($0) }
        authentication = strategy
        batchMode = resolved.bool(.batchMode) ?? false
        passwordAuthentication = resolved.bool(.passwordAuthentication) ?? true
        requestTTY = resolved.string(.requestTTY)
        logLevel = (resolved.string(.logLevel) ?? "INFO").uppercased()
        escapeCharacter = resolved.escapeCharacter
        enableEscapeCommandline = resolved.bool(.enableEscapeCommandline) ?? false
        remoteCommand = resolved.string(.remoteCommand).flatMap { $0 == "none" ? nil : $0 }
        visualHostKey = resolved.bool(.visualHostKey) ?? false
        var addition = AgentAddition()
        var adds = false
        for word in (resolved.string(.addKeysToAgent) ?? "").split(separator: " ") {
            switch word {
            case "yes", "true": adds = true
            case "ask": (adds, addition.ask) = (true, true)
            case "confirm": (adds, addition.confirm) = (true, true)
            default:
                if let seconds = Int(word), seconds > 0 { (adds, addition.lifetime) = (true, seconds) }
            }
        }
        addKeysToAgent = adds ? addition : nil
        if resolved.bool(.permitLocalCommand) == true, let command = resolved.string(.localCommand), command != "none" {
            do {
                localCommand = try resolved.expand(command, extra: ["T": "NONE"])
            } catch {
                throw SSHClientError(.refused, "LocalCommand \(command): \(error)")
            }
            localCommandSource = resolved
        } else {
            localCommand = nil
            localCommandSource = nil
        }
        switch resolved.string(.tunnel) {
        case "point-to-point", "ethernet":
            let mode: TunnelMode = resolved.string(.tunnel) == "ethernet" ? .ethernet : .pointToPoint
            let units = (resolved.string(.tunnelDevice) ?? "any:any").split(separator: ":")
            tunnel = TunnelRequest(
                mode: mode, localUnit: units.first.flatMap { TunnelUnit(parsing: $0) } ?? .any,
                remoteUnit: units.dropFirst().first.flatMap { TunnelUnit(parsing: $0) } ?? .any)
        default:
            tunnel = nil
        }
        sessionType = resolved.string(.sessionType) ?? "default"
        stdinNull = resolved.bool(.stdinNull) ?? false
        gatewayPorts = resolved.bool(.gatewayPorts) ?? false
        exitOnForwardFailure = resolved.bool(.exitOnForwardFailure) ?? false
        controlPath = resolved.string(.controlPath).flatMap { $0 == "none" || $0.isEmpty ? nil : $0 }
        controlMaster = resolved.answer(.controlMaster) ?? .no
        switch resolved.string(.controlPersist) {
        case nil, "no": controlPersist = nil
        case "yes": controlPersist = 0
        case let seconds?: controlPersist = Int(seconds)
        }
        forkAfterAuthentication = resolved.bool(.forkAfterAuthentication) ?? false
        let agent = resolved.string(.identityAgent).flatMap { $0 == "none" ? nil : $0 } ?? localEnvironment["SSH_AUTH_SOCK"]
        identityAgent = agent == "SSH_AUTH_SOCK" ? localEnvironment["SSH_AUTH_SOCK"] : agent

        var configuration = SSHClientConfiguration()
        var algorithms = AlgorithmPreferences.defaults
        func pick(_ keyword: SSHConfigKeyword, from supported: [String], into list: inout [String]) throws(SSHClientError) {
            let wanted = resolved.list(keyword).flatMap { $0.split(separator: ",").map(String.init) }
            guard !wanted.isEmpty else { return }
            let usable = wanted.filter(supported.contains)
            guard !usable.isEmpty else {
                throw SSHClientError(.refused, "none of the \(keyword) \(wanted.joined(separator: ",")) is supported")
            }
            list = usable
        }
        let supported = AlgorithmPreferences.supported
        try pick(.ciphers, from: supported.ciphers, into: &algorithms.ciphers)
        try pick(.macs, from: supported.macs, into: &algorithms.macs)
        try pick(.kexAlgorithms, from: supported.keyExchange, into: &algorithms.keyExchange)
        try pick(.hostKeyAlgorithms, from: supported.hostKey, into: &algorithms.hostKey)
        if resolved.bool(.compression) == true { algorithms.compression = AlgorithmPreferences.compressionPreferred }
        if gssKeyExchange {
            // GSSAPIKexAlgorithms go first, as ssh offers them; the Kerberos context authenticates the server.
            let names = (resolved.string(.gssapiKexAlgorithms) ?? "").split(separator: ",")
                .compactMap { KeyExchangeMethod.gss(String($0))?.name }
            algorithms.keyExchange = names + algorithms.keyExchange
            configuration.transport.gssKeyExchange = GSSKeyExchange(makeContext: {
                try GSSSecurityContext(
                    initiatorFor: gssapi.serviceName, delegate: gssapi.delegatesCredentials,
                    clientPrincipal: gssapi.clientPrincipal)
            })
        }
        configuration.transport.algorithms = algorithms
        let publicKeyAlgorithms = resolved.list(.pubkeyAcceptedAlgorithms).flatMap { $0.split(separator: ",").map(String.init) }
        if !publicKeyAlgorithms.isEmpty { configuration.publicKeyAlgorithms = publicKeyAlgorithms }
        if let seconds = resolved.duration(.connectTimeout), seconds > 0 {
            configuration.connectTimeout = .seconds(seconds)
            // ssh waits as long for the server's identification line.
            configuration.bannerTimeout = .seconds(seconds)
        }
        if let seconds = resolved.duration(.serverAliveInterval), seconds > 0 {
            configuration.keepaliveInterval = .seconds(seconds)
        }
        if let count = resolved.int(.serverAliveCountMax) { configuration.keepaliveCountMax = max(1, count) }
        if let command = resolved.proxyCommand, command != "none" {
            do {
                configuration.proxyCommand = try resolved.expand(command)
            } catch {
                throw SSHClientError(.proxyFailed, "ProxyCommand \(command): \(error)")
            }
        }
        if let jump = resolved.proxyJump {
            configuration.proxyJump = jump.chain.map { SSHProxyHop(user: $0.user, host: $0.host, port: $0.port > 0 ? $0.port : 22) }
        }
        // ForwardAgent yes forwards the agent at SSH_AUTH_SOCK; a path names another (ssh_config(5)).
        configuration.forwardAgent =
            resolved.forwardAgentPath ?? (resolved.bool(.forwardAgent) == true ? localEnvironment["SSH_AUTH_SOCK"] : nil)
        x11Display = resolved.bool(.forwardX11) == true ? localEnvironment["DISPLAY"].flatMap(X11Display.init) : nil
        x11Trusted = resolved.bool(.forwardX11Trusted) ?? false
        x11Timeout = resolved.string(.forwardX11Timeout).flatMap(SSHConfigDuration.seconds) ?? 1200
        xauthLocation = resolved.string(.xauthLocation) ?? "/usr/bin/xauth"
        switch resolved.string(.addressFamily) {
        case "inet": configuration.addressFamily = .inet
        case "inet6": configuration.addressFamily = .inet6
        default: configuration.addressFamily = .any
        }
        configuration.bindAddress = resolved.string(.bindAddress)
        configuration.bindInterface = resolved.string(.bindInterface)
        configuration.connectionAttempts = max(1, resolved.int(.connectionAttempts) ?? 1)
        configuration.tcpKeepAlive = resolved.bool(.tcpKeepAlive) ?? true
        configuration.ipQoS = resolved.ipQoS
        // UpdateHostKeys: `ask` needs somebody to ask, and the caller's approval to write.
        switch resolved.string(.updateHostKeys) {
        case "true", "yes":
            configuration.updatesHostKeys = true
        case "ask" where !batchMode:
            configuration.updatesHostKeys = true
            configuration.hostKeyUpdateApproval = { _, _ in false }
            asksBeforeUpdatingHostKeys = true
        default:
            configuration.updatesHostKeys = false
        }
        // RekeyLimit: bytes and time; 0 or none keeps the transport's own limit.
        if let bytes = resolved.string(.rekeyLimit).flatMap({ UInt64($0) }), bytes > 0 {
            configuration.transport.rekeyBytes = bytes
        }
        if let seconds = resolved.rekeyInterval, seconds > 0 { configuration.transport.rekeyInterval = .seconds(seconds) }
        self.configuration = configuration

        let files = resolved.list(.userKnownHostsFile).flatMap { $0.split(separator: " ").map(String.init) }
        let globalFiles = resolved.list(.globalKnownHostsFile).flatMap { $0.split(separator: " ").map(String.init) }
        knownHostsFiles = (files.isEmpty ? [NSHomeDirectory() + "/.ssh/known_hosts"] : files) + globalFiles
        hashKnownHosts = resolved.bool(.hashKnownHosts) ?? false
        let unknown: SSHHostKeyPolicy.Unknown
        switch resolved.answer(.strictHostKeyChecking) {
        case .no, .acceptNew:
            unknown = .addToFile
            asksAboutNewHostKeys = false
        case .yes:
            unknown = .reject
            asksAboutNewHostKeys = false
        default:
            // `ask`, ssh's default: refused here, since only the caller can ask (see `asksAboutNewHostKeys`).
            unknown = .reject
            asksAboutNewHostKeys = !batchMode
        }
        hostKeyPolicy = .knownHosts(knownHostsFiles, unknown: unknown, hashNames: hashKnownHosts)

        // ClearAllForwardings drops those of the files and the command line alike, as ssh does.
        let clear = resolved.bool(.clearAllForwardings) == true
        let forwards = clear ? [] : resolved.localForwards
        localForwards = forwards.filter { !$0.isDynamic }
        dynamicForwards = forwards.filter(\.isDynamic)
        remoteForwards = clear ? [] : resolved.remoteForwards
        var environment: [String: String] = [:]
        let patterns = resolved.sendEnv
        for (name, value) in localEnvironment where patterns.contains(where: { Self.glob($0, matches: name) }) {
            environment[name] = value
        }
        for assignment in resolved.list(.setEnv) {
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            environment[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
        }
        self.environment = environment
    }

    /// ssh's PreferredAuthentications when none is given.
    public static let defaultPreferredAuthentications = [
        "gssapi-keyex", "gssapi-with-mic", "hostbased", "publickey", "keyboard-interactive", "password",
    ]

    /// SendEnv's patterns: `*` and `?` wildcards.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        fnmatch(pattern, name, 0) == 0
    }
}

extension SSHClientSettings {
    /// The settings `config` gives `host` (with `user` and `port` as `ssh -l` and `-p` give them),
    /// each ProxyJump hop resolved through `hopConfig` (`config` when nil). ssh reaches each jump
    /// host with an ssh of its own, which reads the same files (`-F`) but none of the command line's
    /// options: a `hopConfig` of the files alone does the same, and keeps a `-J` given for the
    /// destination from being read again for the jump host itself.
    public init(
        config: SSHConfig, hopConfig: SSHConfig? = nil, host: String, user: String? = nil, port: Int? = nil,
        localEnvironment: [String: String] = ProcessInfo.processInfo.environment
    ) throws {
        let resolved = try config.resolve(host: host, user: user, port: port)
        try self.init(resolved: resolved, localEnvironment: localEnvironment)
        guard let jump = resolved.proxyJump else { return }
        let hopConfig = hopConfig ?? config
        configuration.proxyJump = try jump.chain.map { hop in
            let hopSettings = try SSHClientSettings(
                resolved: try hopConfig.resolve(host: hop.host, user: hop.user, port: hop.port > 0 ? hop.port : nil),
                localEnvironment: localEnvironment)
            return SSHProxyHop(
                user: hopSettings.user, host: hopSettings.host, port: hopSettings.port,
                authentication: hopSettings.authentication, hostKeyPolicy: hopSettings.hostKeyPolicy,
                transport: hopSettings.configuration.transport)
        }
    }
}

extension SSHClient {
    /// Connects as `settings` describe, adding the agent's keys and `password` to the credentials.
    public static func connect(settings: SSHClientSettings, agentKeys: [any SSHSigner] = [], password: String? = nil)
        async throws -> SSHClient
    {
        var authentication = settings.authentication
        authentication.agentKeys = agentKeys
        if settings.passwordAuthentication { authentication.password = password }
        return try await connect(
            host: settings.host, port: settings.port, username: settings.user, authentication: authentication,
            hostKeyPolicy: settings.hostKeyPolicy, configuration: settings.configuration)
    }
}
