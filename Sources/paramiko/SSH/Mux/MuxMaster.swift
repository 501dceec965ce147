import Foundation
import Logging
import NIOConcurrencyHelpers
import SSHClient
import SSHConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The master side of connection sharing (ssh_config ControlMaster, OpenSSH's PROTOCOL.mux): it
/// listens on the control socket and serves each client that connects there with this process's
/// connection — sessions on the client's own descriptors, stdio forwardings, port forwardings,
/// alive checks, exit and stop requests — each client on a thread of its own.
final class MuxMaster: Sendable {
    private let client: SSHClient
    private let forwardings: Forwardings
    private let settings: SSHClientSettings
    private let verbosity: LogVerbosity
    private let logger: Logger
    private let listener: MuxListener
    /// Called once a client asks the master to exit (`ssh -O exit`).
    private let terminate: @Sendable () -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var nextSession: UInt32 = 1
        /// Clients connected (those running a session included).
        var clients = 0
        /// When the last client left; nil while one is connected.
        var idleSince: ContinuousClock.Instant? = .now
        var stopped = false
    }

    private init(
        client: SSHClient, forwardings: Forwardings, settings: SSHClientSettings, verbosity: LogVerbosity, logger: Logger,
        listener: MuxListener, terminate: @escaping @Sendable () -> Void
    ) {
        self.client = client
        self.forwardings = forwardings
        self.settings = settings
        self.verbosity = verbosity
        self.logger = logger
        self.listener = listener
        self.terminate = terminate
    }

    /// Listens at `path` and serves its clients from now on; nil, with ssh's warning, when the
    /// socket cannot be made (the connection then goes on unshared, as ssh's does).
    static func start(
        path: String, client: SSHClient, forwardings: Forwardings, settings: SSHClientSettings, verbosity: LogVerbosity,
        logger: Logger, terminate: @escaping @Sendable () -> Void
    ) -> MuxMaster? {
        let listener: MuxListener
        do {
            listener = try MuxListener.listen(at: path)
        } catch {
            switch error {
            case .exists: logger.error("ControlSocket \(path) already exists, disabling multiplexing")
            case .system(let call, let code): logger.error("\(call)(): \(path): \(String(cString: strerror(code)))")
            }
            return nil
        }
        logger.debug("setting up multiplex master socket")
        // A client's output may be a pipe whose reader is gone: that write fails, and the master,
        // serving others, goes on, as ssh's ignores SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        let master = MuxMaster(
            client: client, forwardings: forwardings, settings: settings, verbosity: verbosity, logger: logger,
            listener: listener, terminate: terminate)
        Thread { master.acceptClients() }.start()
        return master
    }

    /// The control socket's path.
    var path: String { listener.path }

    /// Stops listening and removes the socket.
    func stop() {
        state.withLockedValue { $0.stopped = true }
        listener.stop()
    }

    /// How long no client has been connected; nil while one is.
    var idleTime: Duration? {
        state.withLockedValue { state in state.idleSince.map { .now - $0 } }
    }

    /// Waits while clients are connected, unless `ending` ends first.
    func waitForClients(unless ending: Ending) async {
        while !ending.isEnded && state.withLockedValue({ $0.clients }) > 0 {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func acceptClients() {
        while let socket = listener.accept() {
            state.withLockedValue { state in
                state.clients += 1
                state.idleSince = nil
            }
            Thread { [self] in
                serve(socket)
                state.withLockedValue { state in
                    state.clients -= 1
                    if state.clients == 0 { state.idleSince = .now }
                }
            }.start()
        }
    }

    /// Serves one client until it leaves or its session ends.
    private func serve(_ socket: MuxSocket) {
        do {
            try socket.post(.hello(version: MuxMessage.version, extensions: []))
            guard case .hello(let version, _)? = try socket.next() else { return }
            guard version == MuxMessage.version else {
                logger.error("Unsupported multiplexing protocol version \(version) (expected \(MuxMessage.version))")
                return
            }
            while let message = try socket.next() {
                guard try handle(message, on: socket) else { return }
            }
        } catch {
            logger.debug("mux client: \(error)")
        }
    }

    /// Answers one request; false once the client's connection is done with.
    private func handle(_ message: MuxMessage, on socket: MuxSocket) throws(MuxError) -> Bool {
        switch message {
        case .aliveCheck(let request):
            try socket.post(.alive(request: request, pid: UInt32(getpid())))
        case .terminate(let request):
            guard permits("Terminate shared connection to \(settings.host)?") else {
                try socket.post(.permissionDenied(request: request, reason: "Permission denied"))
                return true
            }
            try socket.post(.ok(request: request))
            terminate()
            return false
        case .stopListening(let request):
            guard permits("Disable further multiplexing on shared connection to \(settings.host)?") else {
                try socket.post(.permissionDenied(request: request, reason: "Permission denied"))
                return true
            }
            stop()
            try socket.post(.ok(request: request))
        case .openForward(let request, let forward):
            try socket.post(openForwarding(forward, request: request))
        case .closeForward(let request, let forward):
            try socket.post(closeForwarding(forward, request: request))
        case .newSession(let request, let session):
            try runSession(session, request: request, on: socket)
            return false
        case .newStdioForward(let request, let host, let port):
            try runStdioForward(host: host, port: port, request: request, on: socket)
            return false
        case .proxy(let request):
            try socket.post(.failure(request: request, reason: "proxy mode is not offered by this master"))
        case .hello:
            throw MuxError("a second hello")
        case .ok, .permissionDenied, .failure, .exitMessage, .alive, .sessionOpened, .remotePort,
            .ttyAllocationFailed, .proxyOpened:
            throw MuxError("a reply sent to the master")
        }
        return true
    }

    /// ControlMaster ask and autoask: whether the user allows a request, asked as ssh asks
    /// (ssh-askpass); yes without asking otherwise.
    private func permits(_ question: String) -> Bool {
        guard settings.controlMaster == .ask || settings.controlMaster == .autoask else { return true }
        return TerminalPrompt.confirm(question)
    }

    // MARK: Forwardings

    private func openForwarding(_ forward: MuxForward, request: UInt32) -> MuxMessage {
        guard let wanted = Self.forwarding(forward) else {
            return .failure(request: request, reason: "invalid forwarding")
        }
        guard permits("Open \(Self.describe(forward)) on \(settings.host)?") else {
            return .permissionDenied(request: request, reason: "Permission denied")
        }
        let result = blocking { [forwardings] in
            try await forwardings.open(wanted, remote: forward.kind == .remote)
        }
        switch result {
        case .success(let bound) where forward.kind == .remote && forward.listenPort == 0:
            return .remotePort(request: request, port: UInt32(bound))
        case .success:
            return .ok(request: request)
        case .failure:
            return .failure(request: request, reason: "Port forwarding failed")
        }
    }

    private func closeForwarding(_ forward: MuxForward, request: UInt32) -> MuxMessage {
        guard let wanted = Self.forwarding(forward) else {
            return .failure(request: request, reason: "invalid forwarding")
        }
        let found = blocking { [forwardings] () async throws -> Bool in
            forward.kind == .remote
                ? await forwardings.cancelRemote(wanted)
                : await forwardings.cancelLocal(wanted, dynamic: forward.kind == .dynamic)
        }
        guard case .success(true) = found else {
            return .failure(request: request, reason: "port not found")
        }
        return .ok(request: request)
    }

    /// A forwarding of the mux protocol in ssh_config's terms.
    static func forwarding(_ forward: MuxForward) -> SSHForwarding? {
        var result = SSHForwarding(listenPort: 0, connectPort: 0)
        if forward.listenPort == MuxForward.streamLocal {
            result.listenPath = forward.listenHost
            result.listenPort = -2
        } else {
            guard forward.listenPort <= 65535 else { return nil }
            result.listenPort = Int(forward.listenPort)
            // ssh sends "*" for every address and nothing for the default.
            result.listenHost = forward.listenHost.isEmpty ? nil : forward.listenHost == "*" ? "" : forward.listenHost
        }
        switch forward.kind {
        case .dynamic:
            result.connectHost = "socks"
        case .local, .remote:
            if forward.connectPort == MuxForward.streamLocal {
                result.connectPath = forward.connectHost
                result.connectPort = -2
            } else {
                guard forward.connectPort <= 65535, !forward.connectHost.isEmpty else { return nil }
                result.connectHost = forward.connectHost
                result.connectPort = Int(forward.connectPort)
            }
        }
        return result
    }

    /// How ssh names a forwarding in its questions and messages.
    static func describe(_ forward: MuxForward) -> String {
        let listen =
            forward.listenPort == MuxForward.streamLocal
            ? forward.listenHost : "\(forward.listenHost.isEmpty ? "LOCALHOST" : forward.listenHost):\(forward.listenPort)"
        switch forward.kind {
        case .local: return "local forward \(listen) -> \(forward.connectHost):\(forward.connectPort)"
        case .remote: return "remote forward \(listen) -> \(forward.connectHost):\(forward.connectPort)"
        case .dynamic: return "dynamic forward \(listen)"
        }
    }

    // MARK: Sessions

    /// `MUX_C_NEW_SESSION`: takes the client's three descriptors and runs the session on them,
    /// then sends its exit status. The session ends early when the client goes away.
    private func runSession(_ request: MuxSessionRequest, request number: UInt32, on socket: MuxSocket) throws(MuxError) {
        let descriptors = try takeDescriptors(3, from: socket)
        defer { for descriptor in descriptors { close(descriptor) } }
        guard permits("Allow shared connection to \(settings.host)?") else {
            try socket.post(.permissionDenied(request: number, reason: "Permission denied"))
            return
        }
        let id = newSessionID()
        let command = request.command
        let kind: InteractiveSession.Request =
            request.isSubsystem ? .subsystem(command) : command.isEmpty ? .shell : .exec(command)
        var environment: [String: String] = [:]
        for variable in request.environment {
            guard let equals = variable.firstIndex(of: "=") else { continue }
            environment[String(variable[..<equals])] = String(variable[variable.index(after: equals)...])
        }
        let wantsTerminal = request.wantsTerminal && isatty(descriptors[0]) != 0
        var session = InteractiveSession(
            client: client, request: kind, wantsTerminal: wantsTerminal, environment: environment)
        session.descriptors = .init(
            input: descriptors[0], output: descriptors[1], error: descriptors[2], terminal: descriptors[0])
        session.multiplexed = .init(
            terminalType: request.terminalType, forwarding: SessionForwarding(agent: request.wantsAgent, x11: request.wantsX11))
        session.escapeCharacter = request.escapeCharacter
        session.forwardings = forwardings
        session.verbosity = verbosity
        session.opened = { try? socket.post(.sessionOpened(request: number, session: id)) }
        try run(session, session: id, request: number, on: socket)
    }

    /// `MUX_C_NEW_STDIO_FWD`: carries the client's standard input and output to `host`:`port`
    /// through the server, as `ssh -W` does.
    private func runStdioForward(host: String, port: UInt32, request number: UInt32, on socket: MuxSocket) throws(MuxError) {
        let descriptors = try takeDescriptors(2, from: socket)
        defer { for descriptor in descriptors { close(descriptor) } }
        guard port <= 65535 else {
            try socket.post(.failure(request: number, reason: "invalid port"))
            return
        }
        guard permits("Allow forward to \(host):\(port) on \(settings.host)?") else {
            try socket.post(.permissionDenied(request: number, reason: "Permission denied"))
            return
        }
        let id = newSessionID()
        var session = InteractiveSession(
            client: client, request: .stdioForward(host: host, port: Int(port)), wantsTerminal: false, environment: [:])
        session.descriptors = .init(input: descriptors[0], output: descriptors[1], error: 2, terminal: descriptors[0])
        session.multiplexed = .init(terminalType: "")
        session.opened = { try? socket.post(.sessionOpened(request: number, session: id)) }
        try run(session, session: id, request: number, on: socket, sendsExit: false)
    }

    /// Runs `session` until it ends or the client's socket closes, whichever is first.
    private func run(
        _ session: InteractiveSession, session id: UInt32, request number: UInt32, on socket: MuxSocket,
        sendsExit: Bool = true
    ) throws(MuxError) {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<Int32, any Error>?>(nil)
        let task = Task {
            let result: Result<Int32, any Error>
            do {
                result = .success(try await session.run())
            } catch {
                result = .failure(error)
            }
            outcome.withLockedValue { $0 = result }
            // Wakes the watcher below, which reads the socket.
            socket.shutdownReading()
            done.signal()
        }
        // The client sends nothing more; its end (a signal, say) ends the session.
        while (try? socket.next()) != nil {}
        task.cancel()
        done.wait()
        switch outcome.withLockedValue({ $0 }) {
        case .success(let status)?:
            if sendsExit { try? socket.post(.exitMessage(session: id, status: UInt32(bitPattern: status))) }
        case .failure(let error)?:
            logger.debug("mux session \(id): \(error)")
            try? socket.post(.failure(request: number, reason: Self.refusal(error)))
        case nil:
            break
        }
    }

    /// The id of the next client's session.
    private func newSessionID() -> UInt32 {
        state.withLockedValue { state in
            defer { state.nextSession += 1 }
            return state.nextSession
        }
    }

    /// What a client is told when its session could not start.
    private static func refusal(_ error: any Error) -> String {
        if let error = error as? SSHClientError { return error.detail }
        return "\(error)"
    }

    /// Takes `count` descriptors from the client and makes them blocking, since this side reads and
    /// writes them from threads of their own.
    private func takeDescriptors(_ count: Int, from socket: MuxSocket) throws(MuxError) -> [Int32] {
        var taken: [Int32] = []
        do {
            for _ in 0..<count {
                let descriptor = try socket.takeDescriptor()
                taken.append(descriptor)
                let flags = fcntl(descriptor, F_GETFL)
                if flags >= 0 && flags & O_NONBLOCK != 0 { _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK) }
            }
        } catch {
            for descriptor in taken { close(descriptor) }
            throw error
        }
        return taken
    }

    /// Runs `work` as a task and waits for it on this (non-cooperative) thread.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let done = DispatchSemaphore(value: 0)
        let result = NIOLockedValueBox<Result<T, any Error>?>(nil)
        Task {
            let value: Result<T, any Error>
            do { value = .success(try await work()) } catch { value = .failure(error) }
            result.withLockedValue { $0 = value }
            done.signal()
        }
        done.wait()
        return result.withLockedValue { $0! }
    }
}
