import Foundation
import Logging
import NIOConcurrencyHelpers
import SSHAuth
import SSHClient
import SSHConfig
import SSHCrypto
import SSHWire

/// How `paramiko ssh` and `paramiko sftp` reach a host: ssh_config evaluated with the command
/// line's options first, then the connection with the agent's keys and, when the keys fail
/// on a terminal, a typed password.
enum ClientConnection {
    /// The settings for `destination` (`[user@]host`, or an `ssh://` URI) with `lines` (ssh_config
    /// lines the flags stand for) read before `configFile` (`none`: no file; nil: the standard files).
    /// Jump hosts are resolved from the files alone, as ssh resolves them in an ssh of their own.
    static func settings(
        destination: String, login: String?, port: Int?, lines: [String], configFile: String?
    ) throws -> SSHClientSettings {
        let (host, user) = parse(destination, login: login)
        return try SSHClientSettings(
            config: configuration(lines: lines, configFile: configFile),
            hopConfig: configuration(lines: [], configFile: configFile), host: host, user: user, port: port)
    }

    /// What ssh_config says for `destination`, as `ssh -G` prints it.
    static func resolved(
        destination: String, login: String?, port: Int?, lines: [String], configFile: String?
    ) throws -> SSHResolvedConfig {
        let (host, user) = parse(destination, login: login)
        return try configuration(lines: lines, configFile: configFile).resolve(host: host, user: user, port: port)
    }

    /// The host and user of `[user@]host` or `ssh://[user@]host`; `login` (`-l`) wins over the user given there.
    private static func parse(_ destination: String, login: String?) -> (host: String, user: String?) {
        var host = destination
        var user = login
        if host.hasPrefix("ssh://") { host = String(host.dropFirst(6)) }
        if let at = host.lastIndex(of: "@") {
            if user == nil { user = String(host[..<at]) }
            host = String(host[host.index(after: at)...])
        }
        return (host, user)
    }

    /// `lines` read first, then `configFile` or the standard files.
    private static func configuration(lines: [String], configFile: String?) -> SSHConfig {
        var sources: [SSHConfig.Source] = []
        let optionLines = lines.map { line -> String in
            // `-o Name=value` is `Name value` in a file.
            guard let equals = line.firstIndex(of: "="), !line[..<equals].contains(" ") else { return line }
            return line[..<equals] + " " + line[line.index(after: equals)...]
        }
        if !optionLines.isEmpty { sources.append(.text(optionLines.joined(separator: "\n"), name: "command-line")) }
        if let configFile {
            if configFile != "none" { sources.append(.file(path: configFile, isUserConfig: true)) }
        } else {
            sources += SSHConfig.standard().sources
        }
        return SSHConfig(sources: sources)
    }

    /// Connects as `settings` say; banners and warnings go to stderr unless `quiet` or a LogLevel
    /// of ERROR or less says otherwise, and what the client does as `verbosity` lets it (`-v`),
    /// as ssh does.
    static func connect(
        _ settings: SSHClientSettings, quiet: Bool, verbosity: LogVerbosity, logger: Logger? = nil
    ) async throws -> SSHClient {
        var settings = settings
        let quiet = quiet || ["QUIET", "FATAL", "ERROR"].contains(settings.logLevel)
        settings.configuration.logger = logger ?? Self.logger(verbosity)
        settings.configuration.messageHandler = { message in
            guard !quiet else { return }
            var standardError = StandardError()
            print(message, terminator: message.hasSuffix("\n") ? "" : "\n", to: &standardError)
        }
        var agentKeys: [any SSHSigner] = []
        if !settings.authentication.identitiesOnly, let socket = settings.identityAgent {
            agentKeys = (try? await SSHAgentClient(socketPath: socket).signers()) ?? []
        }
        if !settings.batchMode { ask(for: &settings.authentication, user: settings.user, host: settings.host) }
        if let addition = settings.addKeysToAgent, let socket = settings.identityAgent {
            let held = Set(agentKeys.map(\.publicKey))
            settings.authentication.keyFileUsed = { key, path in
                await addToAgent(key, path: path, socket: socket, addition, unless: held)
            }
        }
        // Whether the host key was asked about: its picture was in the question then, as ssh draws it.
        let asked = NIOLockedValueBox(false)
        if settings.asksAboutNewHostKeys {
            let visual = settings.visualHostKey
            settings.hostKeyPolicy = .knownHosts(
                settings.knownHostsFiles,
                unknown: .ask { key, host, port, address in
                    asked.withLockedValue { $0 = true }
                    return await askAboutHostKey(key, host: host, port: port, address: address, visual: visual)
                },
                hashNames: settings.hashKnownHosts)
        }
        if let display = settings.x11Display, let name = ProcessInfo.processInfo.environment["DISPLAY"] {
            let (forwarding, warning) = X11Authority.forwarding(
                display: display, name: name, trusted: settings.x11Trusted, timeout: settings.x11Timeout,
                xauth: settings.xauthLocation)
            settings.configuration.x11Forwarding = forwarding
            if let warning { settings.configuration.messageHandler?(warning) }
        }
        if settings.asksBeforeUpdatingHostKeys {
            settings.configuration.hostKeyUpdateApproval = { _, _ in
                await TerminalPrompt.ask("Accept updated hostkeys? (yes/no): ", echo: true)?.lowercased() == "yes"
            }
        }
        let client = try await SSHClient.connect(settings: settings, agentKeys: agentKeys)
        if settings.visualHostKey && !quiet && !asked.withLockedValue({ $0 }), let hostKey = client.hostKey {
            // As ssh with VisualHostKey: the key the server proved, drawn.
            var standardError = StandardError()
            print("Host key fingerprint is \(hostKey.fingerprint())\n\(hostKey.randomArt())", to: &standardError)
        }
        return client
    }

    /// AddKeysToAgent: hands `key`, loaded from `path`, to the agent at `socket` as ssh does, unless the
    /// agent held it already or, with `ask`, our user says no.
    static func addToAgent(
        _ key: SSHPrivateKey, path: String, socket: String, _ addition: SSHClientSettings.AgentAddition,
        unless held: Set<SSHPublicKey>
    ) async {
        guard !held.contains(key.publicKey) else { return }
        if addition.ask {
            let answer = await TerminalPrompt.ask("Add key \(path) (\(key.comment)) to agent? (yes/no) ", echo: true)
            guard answer?.lowercased() == "yes" else { return }
        }
        do {
            try await SSHAgentClient(socketPath: socket).add(
                key, comment: path, lifetime: addition.lifetime.map { .seconds($0) }, confirm: addition.confirm)
        } catch {
            TerminalPrompt.tell("Could not add identity \"\(path)\" to the agent: \(error)\n")
        }
    }

    /// StrictHostKeyChecking ask, as ssh asks it: `yes`, `no`, or the key's fingerprint typed out;
    /// no without a terminal or askpass to ask on.
    @Sendable static func askAboutHostKey(_ key: SSHPublicKey, host: String, port: Int, address: String, visual: Bool)
        async -> Bool
    {
        let name = HostKeys.name(host: host, port: port)
        let fingerprint = key.fingerprint()
        var question = """
            The authenticity of host '\(name) (\(HostKeys.name(host: address, port: port)))' can't be established.
            \(key.typeLabel) key fingerprint is \(fingerprint).\(visual ? "\n" + key.randomArt() : "")
            This key is not known by any other names.
            Are you sure you want to continue connecting (yes/no/[fingerprint])?\u{20}
            """
        while true {
            guard let answer = await TerminalPrompt.ask(question, echo: true) else { return false }
            switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
            case "yes": return true
            case "no": return false
            case _ where answer.trimmingCharacters(in: .whitespaces) == fingerprint: return true
            default: question = "Please type 'yes', 'no' or the fingerprint: "
            }
        }
    }

    /// What ssh asks its user for, unless in BatchMode: an encrypted key's passphrase once the
    /// server would take the key, keyboard-interactive rounds, and the password, each up to
    /// NumberOfPasswordPrompts times.
    static func ask(for strategy: inout AuthStrategy, user: String, host: String) {
        strategy.passphrasePrompt = { path in await TerminalPrompt.ask("Enter passphrase for key '\(path)': ") }
        strategy.interactiveResponder = { challenge in
            var heading = ""
            if !challenge.name.isEmpty { heading += challenge.name + "\n" }
            if !challenge.instruction.isEmpty { heading += challenge.instruction + "\n" }
            if !heading.isEmpty { TerminalPrompt.tell(heading) }
            var answers: [String] = []
            for prompt in challenge.prompts {
                guard let answer = await TerminalPrompt.ask(prompt.prompt, echo: prompt.echo) else { return nil }
                answers.append(answer)
            }
            return answers
        }
        let asked = NIOLockedValueBox(0)
        strategy.passwordPrompt = {
            if asked.withLockedValue({ $0 += 1; return $0 }) > 1 { TerminalPrompt.tell("Permission denied, please try again.\n") }
            return await TerminalPrompt.ask("\(user)@\(host)'s password: ")
        }
    }

    /// A logger that writes on standard error as ssh does, at `verbosity`, or to `file` (`ssh -E`).
    static func logger(_ verbosity: LogVerbosity, file: FileHandle = .standardError) -> Logger {
        Logger(label: "paramiko.ssh") { _ in StandardErrorLogHandler(verbosity: verbosity, output: file) }
    }
}
