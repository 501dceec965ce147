import ArgumentParser
import Foundation
import Logging
import NIOCore
import SSHAuth
import SSHClient
import SSHConfig
import SSHConnection
import SSHCrypto
import SSHTransport
import SSHWire

/// `paramiko ssh`: OpenSSH's `ssh` for the flags scripts use. The destination's settings come
/// from ssh_config (`-F` or the standard files) with `-o` lines first; the exit status is the
/// remote command's, 255 when connecting or authenticating failed.
struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Log in to a host and run a command or a shell, as OpenSSH's ssh does."
    )

    @Flag(name: .customShort("4"), help: "Use IPv4 addresses only.") var ipv4 = false
    @Flag(name: .customShort("6"), help: "Use IPv6 addresses only.") var ipv6 = false
    @Flag(name: .customShort("A"), help: "Forward the agent.") var forwardAgent = false
    @Flag(name: .customShort("a"), help: "Do not forward the agent.") var noForwardAgent = false
    @Option(name: .customShort("B", allowingJoined: true), help: "Interface whose address to connect from.")
    var bindInterface: String?
    @Option(name: .customShort("b", allowingJoined: true), help: "Local address to connect from.") var bindAddress: String?
    @Flag(name: .customShort("C"), help: "Compress.") var compression = false
    @Option(name: .customShort("c", allowingJoined: true), help: "Ciphers, comma-separated, in order of preference.")
    var ciphers: String?
    @Option(name: .customShort("D", allowingJoined: true), help: "[bind:]port dynamic (SOCKS) forwarding; repeatable.")
    var dynamic: [String] = []
    @Option(name: .customShort("E", allowingJoined: true), help: "Append the log to this file instead of standard error.")
    var logFile: String?
    @Option(
        name: .customShort("e", allowingJoined: true),
        help: "Escape character for a session with a pty (^X for a control key, none: no escapes).")
    var escapeCharacter: String?
    @Option(name: .customShort("F", allowingJoined: true), help: "Configuration file (none: no file).") var configFile: String?
    @Flag(name: .customShort("f"), help: "Go to the background once authenticated (with -N or a command).")
    var background = false
    @Flag(name: .customShort("G"), help: "Print the configuration for the destination, as ssh -G does, and exit.")
    var printConfiguration = false
    @Flag(name: .customShort("g"), help: "Let other hosts connect to local forwardings.") var gatewayPorts = false
    @Option(name: .customShort("i", allowingJoined: true), help: "Identity (private key) file; repeatable.")
    var identities: [String] = []
    @Option(name: .customShort("J", allowingJoined: true), help: "Jump hosts, [user@]host[:port][,...].") var jump: String?
    @Flag(name: .customShort("K"), help: "GSSAPI authentication with credential delegation.") var gssapi = false
    @Flag(name: .customShort("k"), help: "No GSSAPI credential delegation.") var noGSSAPIDelegation = false
    @Option(name: .customShort("L", allowingJoined: true), help: "[bind:]port:host:hostport local forwarding; repeatable.")
    var local: [String] = []
    @Option(name: .customShort("l", allowingJoined: true), help: "User to log in as.") var login: String?
    @Option(name: .customShort("m", allowingJoined: true), help: "MACs, comma-separated, in order of preference.")
    var macs: String?
    @Flag(name: .customShort("M"), help: "Share this connection through the control socket (twice: ask first).")
    var controlMaster: Int
    @Flag(name: .customShort("N"), help: "Run no command (forwardings only).") var noCommand = false
    @Flag(name: .customShort("n"), help: "Read no standard input.") var nullInput = false
    @Option(
        name: .customShort("O", allowingJoined: true),
        help: "Control a master through its control socket: check, forward, cancel, exit or stop.")
    var controlCommand: String?
    @Option(name: .customShort("o", allowingJoined: true), help: "An ssh_config option line; repeatable.")
    var options: [String] = []
    @Option(name: .customShort("p", allowingJoined: true), help: "Port to connect to.") var port: Int?
    @Option(
        name: .customShort("Q", allowingJoined: true),
        help: "List the algorithms supported: cipher, cipher-auth, mac, kex, key, key-cert, key-plain, sig, compression.")
    var query: String?
    @Flag(name: .customShort("q"), help: "Quiet: no warnings or banners.") var quiet = false
    @Option(name: .customShort("R", allowingJoined: true), help: "[bind:]port:host:hostport remote forwarding; repeatable.")
    var remote: [String] = []
    @Flag(name: .customShort("s"), help: "The command is a subsystem, such as sftp.") var subsystem = false
    @Option(name: .customShort("S", allowingJoined: true), help: "Control socket for connection sharing (none: none).")
    var controlPath: String?
    @Flag(name: .customShort("T"), help: "No pseudo-terminal.") var noTerminal = false
    @Flag(name: .customShort("t"), help: "Ask for a pseudo-terminal (twice: even without a local tty).") var terminal: Int
    @Flag(name: .customShort("V"), help: "Print the version and exit.") var version = false
    @Flag(name: .customShort("v"), help: "Verbose; repeatable.") var verbose: Int
    @Option(
        name: .customShort("w", allowingJoined: true),
        help: "local_tun[:remote_tun]: tunnel forwarding between tun devices (any: the next free one).")
    var tunnelDevice: String?
    @Option(name: .customShort("W", allowingJoined: true), help: "host:port: carry standard input and output there.")
    var stdioForward: String?
    @Flag(name: .customShort("x"), help: "No X11 forwarding.") var noX11 = false
    @Flag(name: .customShort("X"), help: "X11 forwarding (untrusted unless ForwardX11Trusted).") var x11 = false
    @Flag(name: .customShort("Y"), help: "Trusted X11 forwarding.") var trustedX11 = false
    @Argument(help: "[user@]host") var destination: String?
    @Argument(parsing: .captureForPassthrough, help: "The command to run.") var command: [String] = []

    func run() async throws {
        let status = await session()
        throw ExitCode(status)
    }

    private func session() async -> Int32 {
        var standardError = StandardError()
        if version {
            print("\(TransportConfiguration(role: .client).softwareVersion), \(CryptoLibrary.version)", to: &standardError)
            return 0
        }
        if let query { return Self.answer(query) }
        guard let destination else {
            print("usage: paramiko ssh [options] destination [command [argument ...]]", to: &standardError)
            return 255
        }
        var operation: MuxOperation?
        if let controlCommand {
            guard let known = MuxOperation(rawValue: controlCommand) else {
                print("Invalid multiplex command.", to: &standardError)
                return 255
            }
            operation = known
        }
        if let escapeCharacter, !Self.isEscapeCharacter(escapeCharacter) {
            print("Bad escape character '\(escapeCharacter)'.", to: &standardError)
            return 255
        }
        if let tunnelDevice, !Self.isTunnelDevice(tunnelDevice) {
            print("Bad tun device '\(tunnelDevice)'", to: &standardError)
            return 255
        }
        var forwardTarget: (host: String, port: Int)?
        if let stdioForward {
            guard let target = Self.hostAndPort(stdioForward) else {
                print("Bad stdio forwarding specification '\(stdioForward)'", to: &standardError)
                return 255
            }
            forwardTarget = target
        }
        let settings: SSHClientSettings
        do {
            if printConfiguration {
                let resolved = try ClientConnection.resolved(
                    destination: destination, login: login, port: port, lines: commandLineOptions(), configFile: configFile)
                print(resolved.sshGLines.joined(separator: "\n"))
                return 0
            }
            settings = try ClientConnection.settings(
                destination: destination, login: login, port: port, lines: commandLineOptions(), configFile: configFile)
        } catch let error as ConfigError {
            print(ConfigCommand.sshStyleMessage(error), to: &standardError)
            return 255
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            return 255
        }
        let readyDescriptor = ProcessInfo.processInfo.environment[Self.readyVariable].flatMap { Int32($0) }
        let persistDescriptor = ProcessInfo.processInfo.environment[Self.persistVariable].flatMap { Int32($0) }
        if settings.forkAfterAuthentication && readyDescriptor == nil && persistDescriptor == nil && operation == nil {
            guard !command.isEmpty || settings.remoteCommand != nil || settings.sessionType == "none" else {
                print("Cannot fork into background without a command to execute.", to: &standardError)
                return 255
            }
            return Self.goToBackground()
        }
        let verbosity = LogVerbosity(logLevel: settings.logLevel, verbose: verbose, quiet: quiet)
        let logger: Logger
        if let logFile {
            guard let file = Self.appending(to: logFile) else {
                print("Couldn't open logfile \(logFile): \(String(cString: strerror(errno)))", to: &standardError)
                return 255
            }
            logger = ClientConnection.logger(verbosity, file: file)
        } else {
            logger = ClientConnection.logger(verbosity)
        }
        let request = persistDescriptor == nil ? sessionRequest(settings, forwardTarget: forwardTarget) : nil
        let terminal = request != nil && forwardTarget == nil && wantsTerminal(settings)
        if let operation {
            guard let path = settings.controlPath else {
                print("No ControlPath specified for \"-O\" command", to: &standardError)
                return 255
            }
            return MuxClient(path: path, settings: settings, verbosity: verbosity, logger: logger).control(operation)
        }
        let becomesMaster = settings.controlPath != nil && [.yes, .ask, .auto, .autoask].contains(settings.controlMaster)
        if let path = settings.controlPath, persistDescriptor == nil, [.no, .auto, .autoask].contains(settings.controlMaster) {
            let mux = MuxClient(path: path, settings: settings, verbosity: verbosity, logger: logger)
            if let status = mux.runSession(request, wantsTerminal: terminal) { return status }
        }
        // ControlPersist: the master is a process of its own in the background, and this one its first client.
        if becomesMaster, let path = settings.controlPath, settings.controlPersist != nil, persistDescriptor == nil {
            return Self.persist(path: path, settings: settings, request: request, terminal: terminal, verbosity: verbosity,
                                logger: logger)
        }
        let client: SSHClient
        do {
            client = try await ClientConnection.connect(settings, quiet: quiet, verbosity: verbosity, logger: logger)
        } catch let error as SSHClientError {
            // A refused login reads as ssh's "user@host: Permission denied (…).", unprefixed.
            print(error.code == .authenticationFailed ? error.detail : "paramiko ssh: \(error.detail)", to: &standardError)
            return 255
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            return 255
        }
        do {
            let forwardings = Forwardings(
                client: client, gatewayPorts: settings.gatewayPorts,
                informs: !quiet && !["QUIET", "FATAL", "ERROR"].contains(settings.logLevel))
            try await forwardings.start(settings)
            if let localCommand = settings.localCommand(tunnelInterface: await forwardings.tunnelInterface ?? "NONE") {
                await Self.runLocally(localCommand, logger: logger)
            }
            let ending = Ending()
            let master =
                becomesMaster
                ? settings.controlPath.flatMap { path in
                    MuxMaster.start(
                        path: path, client: client, forwardings: forwardings, settings: settings, verbosity: verbosity,
                        logger: logger, terminate: { ending.end() })
                } : nil
            client.runtime.transportConnection.channel.closeFuture.whenComplete { _ in ending.end() }
            // -f: authenticated and forwarding; the process that waits in the foreground may go.
            if let readyDescriptor {
                _ = write(readyDescriptor, "1", 1)
                close(readyDescriptor)
            }
            if let persistDescriptor {
                // ControlPersist's master: listening now, and on its own from here on.
                _ = write(persistDescriptor, "1", 1)
                close(persistDescriptor)
                Self.detach()
                let status = await Self.persistAsMaster(master, ending: ending, idleLimit: settings.controlPersist ?? 0)
                master?.stop()
                await client.close()
                return status
            }
            var status: Int32
            if let request {
                // IPQoS: a terminal or X11 makes the session interactive, as for ssh.
                await client.markTraffic(interactive: terminal || settings.x11Display != nil)
                var session = InteractiveSession(
                    client: client, request: request, wantsTerminal: terminal, environment: settings.environment)
                session.readsInput = !settings.stdinNull
                session.escapeCharacter = settings.escapeCharacter
                session.commandLineEnabled = settings.enableEscapeCommandline
                session.forwardings = forwardings
                session.verbosity = verbosity
                status = try await session.run()
                logger.debug("Exit status \(status)")
                // As ssh ends a session with a pty, at LogLevel INFO or more.
                if terminal && verbosity.shows("INFO") { print("Connection to \(settings.host) closed.", to: &standardError) }
            } else {
                await client.markTraffic(interactive: false)
                status = await waitForSignal(ending)
                // As ssh -N: the connection's end, not ours, is a failure.
                if !client.runtime.transportConnection.channel.isActive { status = 255 }
            }
            await forwardings.waitForTunnel(unless: ending)
            // The master stays while its clients do, as ssh's stays while their channels are open.
            if let master { await master.waitForClients(unless: ending) }
            master?.stop()
            await client.close()
            return status
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            await client.close()
            return 255
        }
    }

    /// What the session runs: nil for none (`-N`, SessionType none).
    private func sessionRequest(
        _ settings: SSHClientSettings, forwardTarget: (host: String, port: Int)?
    ) -> InteractiveSession.Request? {
        if let forwardTarget { return .stdioForward(host: forwardTarget.host, port: forwardTarget.port) }
        let line = command.isEmpty ? settings.remoteCommand : command.joined(separator: " ")
        switch settings.sessionType {
        case "none": return nil
        case "subsystem": return .subsystem(line ?? "")
        default: return line.map { .exec($0) } ?? .shell
        }
    }

    /// The ssh_config lines the flags stand for, read before any file, as ssh does.
    func commandLineOptions() -> [String] {
        var lines = options
        lines += identities.map { "IdentityFile \($0)" }
        if let jump { lines.append("ProxyJump \(jump)") }
        lines += local.compactMap { Self.forwardingLine("LocalForward", $0) }
        lines += remote.compactMap { Self.forwardingLine("RemoteForward", $0) }
        lines += dynamic.map { "DynamicForward \($0)" }
        if let escapeCharacter { lines.append("EscapeChar \(escapeCharacter)") }
        if let tunnelDevice { lines += ["TunnelDevice \(tunnelDevice)", "Tunnel yes"] }
        if forwardAgent { lines.append("ForwardAgent yes") }
        if noForwardAgent { lines.append("ForwardAgent no") }
        if compression { lines.append("Compression yes") }
        if ipv4 { lines.append("AddressFamily inet") }
        if ipv6 { lines.append("AddressFamily inet6") }
        if let bindAddress { lines.append("BindAddress \(bindAddress)") }
        if let bindInterface { lines.append("BindInterface \(bindInterface)") }
        if let ciphers { lines.append("Ciphers \(ciphers)") }
        if let macs { lines.append("MACs \(macs)") }
        if gatewayPorts { lines.append("GatewayPorts yes") }
        // -k goes first so that it wins over -K, as `ssh -K -k` has it.
        if noGSSAPIDelegation { lines.append("GSSAPIDelegateCredentials no") }
        if gssapi { lines += ["GSSAPIAuthentication yes", "GSSAPIDelegateCredentials yes"] }
        if let controlPath { lines.append("ControlPath \(controlPath)") }
        if controlMaster >= 2 { lines.append("ControlMaster ask") } else if controlMaster == 1 { lines.append("ControlMaster yes") }
        if nullInput || background { lines.append("StdinNull yes") }
        if background { lines.append("ForkAfterAuthentication yes") }
        // -x goes first so that it wins over -X and -Y.
        if noX11 { lines.append("ForwardX11 no") }
        if x11 || trustedX11 { lines.append("ForwardX11 yes") }
        if trustedX11 { lines.append("ForwardX11Trusted yes") }
        if stdioForward != nil {
            // As ssh: -W carries no session and no other forwarding.
            lines += ["SessionType none", "RequestTTY no", "ClearAllForwardings yes"]
        } else if noCommand {
            lines.append("SessionType none")
        } else if subsystem {
            lines.append("SessionType subsystem")
        }
        if noTerminal { lines.append("RequestTTY no") } else if terminal >= 2 { lines.append("RequestTTY force") } else if terminal == 1 {
            lines.append("RequestTTY yes")
        }
        return lines
    }

    /// LocalCommand: runs `command` with the user's shell, as ssh does once connected, and waits for it.
    static func runLocally(_ command: String, logger: Logger) async {
        logger.debug("Executing command: '\(command)'")
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        guard let pid = try? ProcessSpawn.start([shell, "-c", command]) else {
            var standardError = StandardError()
            print("Couldn't execute \(shell) -c \"\(command)\"", to: &standardError)
            return
        }
        _ = await ProcessSpawn.wait(pid)
    }

    /// The environment variable that tells the background process of `-f` the descriptor to
    /// report on once it is authenticated.
    static let readyVariable = "PARAMIKO_SSH_READY_FD"

    /// `-f`: runs this same command again as a background process in a session of its own, with
    /// standard input from /dev/null, and waits until it reports that it is authenticated (its
    /// forwardings set up), as ssh's fork after authentication does. Returns 0 then, or the
    /// background process's status when it ends first (255 when connecting failed). The process
    /// finds the descriptor to report on in the environment variable `variable`; without
    /// `newSession` it keeps our terminal (for its prompts) until it detaches itself.
    static func goToBackground(reportingOn variable: String = readyVariable, newSession: Bool = true) -> Int32 {
        var standardError = StandardError()
        let program = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(null) }
        let pid: pid_t
        let ready: (read: Int32, write: Int32)
        do {
            ready = try ProcessSpawn.pipe()
            // The background process finds the descriptor after its standard ones.
            pid = try ProcessSpawn.start(
                [program] + CommandLine.arguments.dropFirst(), input: null, passing: (ready.write, 3),
                environment: [variable: "3"], newSession: newSession)
        } catch {
            print("fork: \(error.text)", to: &standardError)
            return 255
        }
        close(ready.write)
        var byte: UInt8 = 0
        var count = 0
        repeat { count = read(ready.read, &byte, 1) } while count < 0 && errno == EINTR
        close(ready.read)
        if count == 1 { return 0 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED and WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 255
    }

    /// `-Q`: the algorithms of a kind, one per line, as ssh lists them; 255 for a kind it does not know.
    static func answer(_ query: String) -> Int32 {
        let supported = AlgorithmPreferences.supported
        let signatures = supported.hostKey
        let keys = signatures.filter { !$0.hasPrefix("rsa-sha2-") && !$0.contains("rsa-sha2-") }
        let lists: [String: [String]] = [
            "cipher": supported.ciphers, "cipher-auth": supported.ciphers.filter { $0.contains("gcm") || $0.contains("poly1305") },
            "mac": supported.macs, "kex": supported.keyExchange, "key": keys, "key-cert": keys.filter { $0.contains("-cert-") },
            "key-plain": keys.filter { !$0.contains("-cert-") }, "sig": signatures, "compression": supported.compression,
            "protocol-version": ["2"],
        ]
        if query == "help" {
            print(lists.keys.sorted().joined(separator: "\n") + "\nhelp")
            return 0
        }
        guard let list = lists[query.lowercased()] else {
            var standardError = StandardError()
            print("Unsupported query \"\(query)\"", to: &standardError)
            return 255
        }
        print(list.joined(separator: "\n"))
        return 0
    }

    /// `host:port` or `[host]:port` of `-W`.
    static func hostAndPort(_ spec: String) -> (host: String, port: Int)? {
        var host: Substring
        var rest: Substring
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            host = spec[spec.index(after: spec.startIndex)..<close]
            rest = spec[spec.index(after: close)...]
            guard rest.first == ":" else { return nil }
            rest = rest.dropFirst()
        } else {
            guard let colon = spec.lastIndex(of: ":") else { return nil }
            host = spec[..<colon]
            rest = spec[spec.index(after: colon)...]
        }
        guard !host.isEmpty, let port = Int(rest), (1...65535).contains(port) else { return nil }
        return (String(host), port)
    }

    /// `path` opened for appending, created if missing (`ssh -E`).
    static func appending(to path: String) -> FileHandle? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// Whether `-e` names an escape character as ssh takes it: one character, `^` and a character
    /// from `@` on, or `none`.
    static func isEscapeCharacter(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if text == "none" || bytes.count == 1 { return true }
        return bytes.count == 2 && bytes[0] == UInt8(ascii: "^") && bytes[1] >= 64 && bytes[1] < 128
    }

    /// Whether `-w` names `local[:remote]` tun devices, each `any` or a number, as ssh's `a2tun` reads them.
    static func isTunnelDevice(_ text: String) -> Bool {
        let units = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return units.allSatisfy { $0.allSatisfy(\.isASCII) && TunnelUnit(parsing: $0) != nil }
    }

    /// `-L [bind:]port:host:hostport` as `LocalForward [bind:]port host:hostport`.
    static func forwardingLine(_ keyword: String, _ spec: String) -> String? {
        var fields: [String] = []
        var current = ""
        var bracket = false
        for character in spec {
            switch character {
            case "[": bracket = true
            case "]": bracket = false
            case ":" where !bracket:
                fields.append(current)
                current = ""
            default: current.append(character)
            }
        }
        fields.append(current)
        guard fields.count >= 3 else { return "\(keyword) \(spec)" }
        let target = fields.suffix(2).joined(separator: ":")
        let listen = fields.dropLast(2).joined(separator: ":")
        return "\(keyword) \(listen) \(target)"
    }

    func wantsTerminal(_ settings: SSHClientSettings) -> Bool {
        switch settings.requestTTY {
        case "force": return true
        case "yes": return isatty(0) != 0
        case "no": return false
        default: return command.isEmpty && isatty(0) != 0
        }
    }

    /// -N: keeps the forwardings until SIGINT or SIGTERM, the connection's end, or a control
    /// client's exit request.
    private func waitForSignal(_ ending: Ending) async -> Int32 {
        let watch = SignalWatch(signals: [SIGINT, SIGTERM]) { ending.end() }
        await ending.wait()
        watch.cancel()
        return 0
    }
}
