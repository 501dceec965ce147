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
    /// The session asks for agent and X11 forwarding as the configuration says; `forwarding`
    /// can leave either out for this session.
    public func exec(
        _ command: String, environment: [String: String] = [:], terminal: ChannelRequestType.PseudoTerminal? = nil,
        forwarding: SessionForwarding = .asConfigured
    ) async throws -> SSHChannel {
        let channel = try await session(environment: environment, terminal: terminal, forwarding: forwarding)
        logger.debug("Sending command: \(command)")
        guard try await channel.exec(command) else {
            try? await channel.close()
            throw SSHClientError(.refused, "the server refused to run \(command)")
        }
        return channel
    }

    /// Starts an interactive shell (RFC 4254 §6.5), on a pseudo-terminal when `terminal` is given;
    /// `forwarding` as for ``exec(_:environment:terminal:forwarding:)``.
    public func shell(
        terminal: ChannelRequestType.PseudoTerminal? = nil, environment: [String: String] = [:],
        forwarding: SessionForwarding = .asConfigured
    ) async throws -> SSHChannel {
        let channel = try await session(environment: environment, terminal: terminal, forwarding: forwarding)
        guard try await channel.shell() else {
            try? await channel.close()
            throw SSHClientError(.refused, "the server refused a shell")
        }
        return channel
    }

    /// Starts the subsystem `name` (RFC 4254 §6.5), such as `sftp` or `netconf`, on a new session
    /// channel after `environment`, on a pseudo-terminal when `terminal` is given; `forwarding` as
    /// for ``exec(_:environment:terminal:forwarding:)``.
    public func subsystem(
        _ name: String, environment: [String: String] = [:], terminal: ChannelRequestType.PseudoTerminal? = nil,
        forwarding: SessionForwarding = .asConfigured
    ) async throws -> SSHChannel {
        let channel = try await session(environment: environment, terminal: terminal, forwarding: forwarding)
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

    private func session(
        environment: [String: String], terminal: ChannelRequestType.PseudoTerminal?, forwarding wanted: SessionForwarding
    ) async throws -> SSHChannel {
        let channel = try await runtime.openSession()
        if !environment.isEmpty { logger.debug("Sending environment.") }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            logger.debug("Sending env \(name) = \(value)")
            _ = try await channel.request(.environment(name: name, value: value), wantReply: false)
        }
        if forwarding.forwardsAgent && wanted.agent {
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
        if let x11 = forwarding.x11, wanted.x11 {
            // As ssh: a refusal leaves the session without X11, and says so.
            logger.debug("Requesting X11 forwarding with authentication spoofing.")
            if try await !channel.request(.x11(x11.request), wantReply: true) {
                logger.error("X11 forwarding request failed on channel \(channel.id)")
            }
        }
        return channel
    }
}

/// Which of the forwardings its configuration gives a session a caller wants for one session
/// (RFC 4254 §6.3 X11, OpenSSH's `auth-agent-req@openssh.com`): what a connection-sharing master
/// asks for a client that did not ask for them.
public struct SessionForwarding: Sendable, Equatable {
    /// Agent forwarding, when ``SSHClientConfiguration/forwardAgent`` is set.
    public var agent: Bool
    /// X11 forwarding, when ``SSHClientConfiguration/x11Forwarding`` is set.
    public var x11: Bool

    /// Agent and X11 forwarding each wanted or not.
    public init(agent: Bool, x11: Bool) {
        self.agent = agent
        self.x11 = x11
    }

    /// Both, as the configuration says.
    public static let asConfigured = SessionForwarding(agent: true, x11: true)
}
