import Logging
import SSHAuth
import NIOCore
import SSHConnection
import SSHWire

/// Serves one session channel (RFC 4254 §6): collects pty-req and env, asks the delegate about
/// exec, shell and subsystem, runs what it grants, passes window-change and signal to a running
/// process, and reports the exit.
struct SessionChannel<Delegate: SSHServerDelegate>: Sendable {
    let channel: SSHChannel
    let delegate: Delegate
    var context: SessionContext
    let agent: AgentForwarding?
    let logger: Logger

    func run() async {
        var context = self.context
        let running = RunningProcessBox()
        await withTaskGroup(of: Void.self) { group in
            var started = false
            for await event in channel.requests {
                let granted: Bool
                switch event.request {
                case .exec, .shell, .subsystem:
                    if started {
                        granted = false
                    } else {
                        let action = await action(for: event.request, context)
                        granted = start(action, for: event.request, context: context, running: running, group: &group)
                        started = granted
                    }
                case .windowChange(let size):
                    running.process?.resize(
                        columns: Int(size.columns), rows: Int(size.rows), pixelWidth: Int(size.widthPixels),
                        pixelHeight: Int(size.heightPixels))
                    granted = running.process != nil
                case .signal(let name):
                    granted = running.process?.signal(name) ?? false
                case .pseudoTerminal(let terminal) where !started:
                    granted = await delegate.allowsSessionRequest(event.request, session: context)
                    if granted { context.terminal = terminal }
                case .environment(let name, let value) where !started:
                    granted = await delegate.allowsSessionRequest(event.request, session: context)
                    if granted { context.environment[name] = value }
                case .authAgent where !started:
                    granted = await delegate.allowsSessionRequest(event.request, session: context)
                    if granted, let agent, let path = await agent.socketPath(for: channel.connection) {
                        context.agentForwarding = true
                        context.environment["SSH_AUTH_SOCK"] = path
                    }
                default:
                    granted = started ? false : await delegate.allowsSessionRequest(event.request, session: context)
                }
                if event.wantReply { try? await channel.reply(granted) }
            }
            // The channel closed: a process still running loses its terminal.
            running.process?.terminate()
        }
    }

    private func action(for request: ChannelRequestType, _ context: SessionContext) async -> SessionAction {
        switch request {
        case .exec(let command): await delegate.exec(command, session: context)
        case .shell: await delegate.shell(session: context)
        case .subsystem(let name): await delegate.subsystem(name, session: context)
        default: .deny
        }
    }

    /// Starts what the delegate granted; false when it denied or the start failed.
    private func start(
        _ action: SessionAction, for request: ChannelRequestType, context: SessionContext, running: RunningProcessBox,
        group: inout TaskGroup<Void>
    ) -> Bool {
        let channel = self.channel
        switch action {
        case .deny:
            return false
        case .handle(let handler):
            group.addTask {
                let status = await handler(channel, context)
                await Self.finish(channel, with: .exitStatus(status))
            }
            return true
        case .runProcess(let options):
            var environment = options.environment
            environment.merge(context.environment) { _, granted in granted }
            if environment["USER"] == nil { environment["USER"] = context.connection.identity.user }
            if environment["LOGNAME"] == nil { environment["LOGNAME"] = context.connection.identity.user }
            if environment["PATH"] == nil { environment["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
            if let address = context.connection.remoteAddress, let ip = address.ipAddress {
                environment["SSH_CLIENT"] = "\(ip) \(address.port ?? 0) 0"
            }
            var command: String?
            if case .exec(let text) = request { command = text }
            if let forced = options.command { command = forced }
            if case .exec(let text) = request, options.command != nil { environment["SSH_ORIGINAL_COMMAND"] = text }
            let terminal = context.terminal.map(TerminalRequest.init)
            if let terminal { environment["TERM"] = terminal.term }
            let process: LocalProcess
            do {
                process = try LocalProcess.start(
                    command: command, shell: options.shell, environment: environment,
                    workingDirectory: options.workingDirectory, terminal: terminal,
                    eventLoop: channel.connection.eventLoop)
            } catch {
                logger.info("could not start a process for \(context.connection.identity.user): \(error)")
                return false
            }
            running.set(process)
            // The bridge only moves buffers between the channel and the process's pipes, which are
            // on the connection's event loop too: all of it runs there, without changing threads.
            group.addTask(executorPreference: channel.connection.taskExecutor) {
                let exit = await ProcessBridge(process: process, channel: channel).run()
                await Self.finish(channel, with: exit)
            }
            return true
        }
    }

    /// Sends EOF, the exit and CLOSE, in one write (RFC 4254 §5.3, §6.10).
    static func finish(_ channel: SSHChannel, with exit: ChannelRequestType) async {
        try? await channel.finish(exit: exit)
    }
}
