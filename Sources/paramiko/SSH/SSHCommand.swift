import ArgumentParser
import Foundation
import Logging
import SSHAuth
import SSHClient
import SSHConfig
import SSHConnection
import SSHWire

/// `paramiko ssh`: OpenSSH's `ssh` for the flags scripts use. The destination's settings come
/// from ssh_config (`-F` or the standard files) with `-o` lines first; the exit status is the
/// remote command's, 255 when connecting or authenticating failed.
struct SSHCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ssh",
        abstract: "Log in to a host and run a command or a shell, as OpenSSH's ssh does."
    )

    @Option(name: .customShort("p"), help: "Port to connect to.") var port: Int?
    @Option(name: .customShort("l"), help: "User to log in as.") var login: String?
    @Option(name: .customShort("i"), help: "Identity (private key) file; repeatable.") var identities: [String] = []
    @Option(name: .customShort("o"), help: "An ssh_config option line; repeatable.") var options: [String] = []
    @Option(name: .customShort("F"), help: "Configuration file (none: no file).") var configFile: String?
    @Option(name: .customShort("J"), help: "Jump hosts, [user@]host[:port][,...].") var jump: String?
    @Option(name: .customShort("L"), help: "[bind:]port:host:hostport local forwarding; repeatable.") var local: [String] = []
    @Option(name: .customShort("R"), help: "[bind:]port:host:hostport remote forwarding; repeatable.") var remote: [String] = []
    @Option(name: .customShort("D"), help: "[bind:]port dynamic (SOCKS) forwarding; repeatable.") var dynamic: [String] = []
    @Flag(name: .customShort("N"), help: "Run no command (forwardings only).") var noCommand = false
    @Flag(name: .customShort("T"), help: "No pseudo-terminal.") var noTerminal = false
    @Flag(name: .customShort("t"), help: "Ask for a pseudo-terminal (twice: even without a local tty).") var terminal: Int
    @Flag(name: .customShort("A"), help: "Forward the agent.") var forwardAgent = false
    @Flag(name: .customShort("C"), help: "Compress.") var compression = false
    @Flag(name: .customShort("v"), help: "Verbose; repeatable.") var verbose: Int
    @Flag(name: .customShort("q"), help: "Quiet: no warnings or banners.") var quiet = false
    @Option(name: .customShort("e"), help: "Escape character for a session with a pty (^X for a control key, none: no escapes).")
    var escapeCharacter: String?
    @Argument(help: "[user@]host") var destination: String
    @Argument(parsing: .captureForPassthrough, help: "The command to run.") var command: [String] = []

    func run() async throws {
        let status = await session()
        throw ExitCode(status)
    }

    private func session() async -> Int32 {
        var standardError = StandardError()
        if let escapeCharacter, !Self.isEscapeCharacter(escapeCharacter) {
            print("Bad escape character '\(escapeCharacter)'.", to: &standardError)
            return 255
        }
        let settings: SSHClientSettings
        do {
            settings = try resolveSettings()
        } catch let error as ConfigError {
            print(ConfigCommand.sshStyleMessage(error), to: &standardError)
            return 255
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            return 255
        }
        let verbosity = LogVerbosity(logLevel: settings.logLevel, verbose: verbose, quiet: quiet)
        let logger = ClientConnection.logger(verbosity)
        let client: SSHClient
        do {
            client = try await ClientConnection.connect(settings, quiet: quiet, verbosity: verbosity)
        } catch let error as SSHClientError {
            print("paramiko ssh: \(error.detail)", to: &standardError)
            return 255
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            return 255
        }
        do {
            let forwardings = Forwardings(client: client)
            try await forwardings.start(settings)
            let status: Int32
            if noCommand {
                status = await waitForSignal()
            } else {
                let terminal = wantsTerminal(settings)
                var session = InteractiveSession(
                    client: client, command: command.isEmpty ? nil : command.joined(separator: " "),
                    wantsTerminal: terminal, environment: settings.environment)
                session.escapeCharacter = settings.escapeCharacter
                session.commandLineEnabled = settings.enableEscapeCommandline
                session.forwardings = forwardings
                session.verbosity = verbosity
                status = try await session.run()
                logger.debug("Exit status \(status)")
                // As ssh ends a session with a pty, at LogLevel INFO or more.
                if terminal && verbosity.shows("INFO") { print("Connection to \(settings.host) closed.", to: &standardError) }
            }
            await client.close()
            return status
        } catch {
            print("paramiko ssh: \(error)", to: &standardError)
            await client.close()
            return 255
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
        if forwardAgent { lines.append("ForwardAgent yes") }
        if compression { lines.append("Compression yes") }
        if noTerminal { lines.append("RequestTTY no") } else if terminal >= 2 { lines.append("RequestTTY force") } else if terminal == 1 {
            lines.append("RequestTTY yes")
        }
        return lines
    }

    /// Whether `-e` names an escape character as ssh takes it: one character, `^` and a character
    /// from `@` on, or `none`.
    static func isEscapeCharacter(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if text == "none" || bytes.count == 1 { return true }
        return bytes.count == 2 && bytes[0] == UInt8(ascii: "^") && bytes[1] >= 64 && bytes[1] < 128
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

    func resolveSettings() throws -> SSHClientSettings {
        try ClientConnection.settings(
            destination: destination, login: login, port: port, lines: commandLineOptions(), configFile: configFile)
    }

    func wantsTerminal(_ settings: SSHClientSettings) -> Bool {
        switch settings.requestTTY {
        case "force": return true
        case "yes": return isatty(0) != 0
        case "no": return false
        default: return command.isEmpty && isatty(0) != 0
        }
    }

    /// -N: keeps the forwardings until SIGINT or SIGTERM.
    private func waitForSignal() async -> Int32 {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let watch = SignalWatch(signals: [SIGINT, SIGTERM]) { continuation.finish() }
        for await _ in stream {}
        watch.cancel()
        return 0
    }
}
