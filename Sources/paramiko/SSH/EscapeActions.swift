import Foundation
import NIOCore
import SSHClient
import SSHConnection
import SSHWire

/// What `paramiko ssh` does for the escape sequences typed in an interactive session
/// (ssh(1) ESCAPE CHARACTERS, `process_escapes` in OpenSSH's clientloop.c): each answers on
/// standard error, with `\r\n` line ends for the raw terminal.
struct EscapeActions: Sendable {
    let client: SSHClient
    let channel: SSHChannel
    let raw: RawMode?
    let forwardings: Forwardings
    let verbosity: LogVerbosity
    let escapeCharacter: UInt8
    let commandLineEnabled: Bool
    /// Where the answers go: our standard error, or a multiplexing client's.
    var errorDescriptor: Int32 = 2
    /// A session run for a client of the control socket: `~^Z` and `~C` would act on the master's
    /// own process and terminal, so they are refused, as ssh refuses them.
    var multiplexed = false

    /// Whether the session goes on after a command.
    enum Outcome {
        case goOn
        case disconnect
    }

    /// Carries out `command`.
    func perform(_ command: EscapeSequenceScanner.Command) async -> Outcome {
        let escape = String(UnicodeScalar(escapeCharacter))
        switch command {
        case .disconnect:
            say("\(escape).\r\n")
            return .disconnect
        case .sendBreak:
            say("\(escape)B\r\n")
            _ = try? await channel.request(.break(milliseconds: 1000), wantReply: false)
        case .rekey:
            try? await client.rekey()
        case .quieter:
            say("\(escape)V [LogLevel \(verbosity.quieter())]\r\n")
        case .louder:
            say("\(escape)v [LogLevel \(verbosity.louder())]\r\n")
        case .suspend where multiplexed:
            say("\(escape)^Z escape not available to multiplexed sessions\r\n")
        case .commandLine where multiplexed:
            say("\(escape)C escape not available to multiplexed sessions\r\n")
        case .suspend:
            say("\(escape)^Z [suspend ssh]\r\n")
            raw?.restore()
            kill(getpid(), SIGTSTP)
            // Continued: the terminal may have changed size meanwhile.
            raw?.enter()
            _ = try? await channel.request(.windowChange(InteractiveSession.currentTerminal().size), wantReply: false)
        case .listChannels:
            say("\(escape)#\r\n" + (await Self.channelList(client.runtime)))
        case .commandLine:
            guard commandLineEnabled else {
                say("commandline disabled\r\n")
                return .goOn
            }
            raw?.restore()
            signal(SIGINT, SIG_IGN)
            say("\r\nssh> ")
        case .help:
            say(EscapeSequenceScanner(escapeCharacter: escapeCharacter, commandLine: commandLineEnabled).help)
        }
        return .goOn
    }

    /// Runs the line typed at the `ssh>` prompt, then puts the terminal back in raw mode.
    func run(commandLine line: String) async {
        let lines = await forwardings.run(commandLine: line)
        say(lines.map { $0 + "\r\n" }.joined())
        signal(SIGINT, SIG_DFL)
        raw?.enter()
    }

    /// `~#`: the open channels, as ssh's `channel_open_message` lists them.
    static func channelList(_ runtime: ConnectionRuntime) async -> String {
        var text = "The following connections are open:\r\n"
        for (id, type) in await runtime.openChannelTypes {
            text += "  #\(id.rawValue) \(describe(type))\r\n"
        }
        return text
    }

    private static func describe(_ type: ChannelType) -> String {
        switch type {
        case .session: "client-session"
        case .directTCPIP(let forwarded):
            "direct-tcpip: to \(forwarded.host) port \(forwarded.port), "
                + "from \(forwarded.originatorAddress) port \(forwarded.originatorPort)"
        case .forwardedTCPIP(let forwarded):
            "forwarded-tcpip: \(forwarded.host) port \(forwarded.port), "
                + "from \(forwarded.originatorAddress) port \(forwarded.originatorPort)"
        case .directStreamLocal(let path): "direct-streamlocal: to \(path)"
        case .forwardedStreamLocal(let path): "forwarded-streamlocal: \(path)"
        default: type.name
        }
    }

    private func say(_ text: String) {
        InteractiveSession.write(ByteBuffer(string: text), to: errorDescriptor)
    }
}
