import Logging
import NIOCore
import SSHConnection
import SSHWire

extension SSHClient {
    /// Runs `command` and collects stdout, stderr and the exit, reading both streams as they
    /// come so a large output never stalls the command; `input` goes to its stdin, then EOF.
    public func run(_ command: String, input: [UInt8]? = nil, environment: [String: String] = [:]) async throws
        -> CommandResult
    {
        let channel = try await exec(command, environment: environment)
        // Cancelling the caller closes this channel, and only this one.
        return try await withTaskCancellationHandler {
            try await collect(channel, input: input)
        } onCancel: {
            Task { try? await channel.close() }
        }
    }

    private func collect(_ channel: SSHChannel, input: [UInt8]?) async throws -> CommandResult {
        let writer = Task {
            if let input, !input.isEmpty { try await channel.write(ByteBuffer(bytes: input)) }
            try await channel.sendEOF()
        }
        defer { writer.cancel() }
        var result = CommandResult()
        var completion = SessionCompletion()
        for try await output in channel.output {
            switch output {
            case .stdout(let data): result.stdout += data.readableBytesView
            case .stderr(let data): result.stderr += data.readableBytesView
            case .eof: break
            case .exitStatus(let status): result.exitStatus = status
            case .exitSignal(let signal): result.exitSignal = signal
            }
            if completion.note(output) { try? await channel.close() }
        }
        return result
    }

    /// Starts `command` on a new session channel (RFC 4254 §6.5) after sending `environment`
    /// (`env`, which servers grant only for accepted names) and returns the channel to stream.
    public func exec(_ command: String, environment: [String: String] = [:], terminal: ChannelRequestType.PseudoTerminal? = nil)
        async throws -> SSHChannel
    {
        let channel = try await session(environment: environment, terminal: terminal)
        logger.debug("Sending command: \(command)")
        guard try await channel.exec(command) else {
            try? await channel.close()
            throw SSHClientError(.refused, "the server refused to run \(command)")
        }
        return channel
    }

    /// Starts an interactive shell (RFC 4254 §6.5), on a pseudo-terminal when `terminal` is given.
    public func shell(terminal: ChannelRequestType.PseudoTerminal? = nil, environment: [String: String] = [:])
        async throws -> SSHChannel
    {
        let channel = try await session(environment: environment, terminal: terminal)
        guard try await channel.shell() else {
            try? await channel.close()
            throw SSHClientError(.refused, "the server refused a shell")
        }
        return channel
    }

    /// Starts the subsystem `name` (RFC 4254 §6.5), such as `sftp` or `netconf`, on a new session
    /// channel after `environment`, on a pseudo-terminal when `terminal` is given.
    public func subsystem(
        _ name: String, environment: [String: String] = [:], terminal: ChannelRequestType.PseudoTerminal? = nil
    ) async throws -> SSHChannel {
        let channel = try await session(environment: environment, terminal: terminal)
        logger.debug("Sending subsystem: \(name)")
        guard try await channel.subsystem(name) else {
            try? await channel.close()
            throw SSHClientError(.refused, "the server refused the subsystem \(name)")
        }
        return channel
    }

    /// Opens a `direct-tcpip` channel (RFC 4254 §7.2) to `host`:`port` as the server sees them,
    /// its bytes for the caller to read and write, as `ssh -W` and Paramiko's
    /// `open_channel("direct-tcpip", …)` do. Throws when the server refuses or cannot connect.
    public func openDirectTCPIP(
        host: String, port: Int, originatorAddress: String = "127.0.0.1", originatorPort: Int = 0
    ) async throws -> SSHChannel {
        logger.debug("Connecting to \(host) port \(port) through the server.")
        return try await runtime.openChannel(
            .directTCPIP(
                .init(
                    host: host, port: UInt32(port), originatorAddress: originatorAddress,
                    originatorPort: UInt32(originatorPort))))
    }

    private func session(environment: [String: String], terminal: ChannelRequestType.PseudoTerminal?) async throws
        -> SSHChannel
    {
        let channel = try await runtime.openSession()
        if !environment.isEmpty { logger.debug("Sending environment.") }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            logger.debug("Sending env \(name) = \(value)")
            _ = try await channel.request(.environment(name: name, value: value), wantReply: false)
        }
        if forwarding.forwardsAgent {
            logger.debug("Requesting authentication agent forwarding.")
            _ = try await channel.request(.authAgent, wantReply: false)
        }
        if let terminal {
            logger.debug("Requesting a pseudo-terminal: \(terminal.term), \(terminal.size.columns)x\(terminal.size.rows)")
            guard try await channel.request(.pseudoTerminal(terminal), wantReply: true) else {
                try? await channel.close()
                throw SSHClientError(.refused, "the server refused a pseudo-terminal")
            }
        }
        if let x11 = forwarding.x11 {
            // As ssh: a refusal leaves the session without X11, and says so.
            logger.debug("Requesting X11 forwarding with authentication spoofing.")
            if try await !channel.request(.x11(x11.request), wantReply: true) {
                logger.error("X11 forwarding request failed on channel \(channel.id)")
            }
        }
        return channel
    }
}
