import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHTransport
import SSHWire

/// An SSH server (RFC 4251–4254) on SwiftNIO: what Paramiko's `Transport.start_server` with a
/// `ServerInterface` is, for many connections at once. Each connection runs the transport,
/// authentication through the delegate, then the connection protocol; unauthenticated
/// connections are held to ``SSHServerConfiguration/unauthenticatedStart`` and friends.
public final class SSHServer: Sendable {
    /// The address the server listens on.
    public let localAddress: SocketAddress?
    private let listener: any Channel
    private let task: Task<Void, Never>
    private let live: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    private let admission: StartupAdmission
    private let configuration: SSHServerConfiguration
    private let stopped = StopSignal()

    /// The port the server listens on (the one chosen, for port 0).
    public var port: Int { localAddress?.port ?? 0 }

    /// Connections open now, authenticated or not.
    public var connectionCount: Int { live.withLockedValue { $0.count } }

    /// Connections that have not authenticated yet.
    public var unauthenticatedCount: Int { admission.pending }

    /// Listens on `host`:`port` (0 picks a free port) with `hostKeys` (several types at once,
    /// certificates too) and serves each connection with `delegate`.
    public static func listen(
        host: String, port: Int, hostKeys: [any TransportHostKey], delegate: some SSHServerDelegate,
        configuration: SSHServerConfiguration = SSHServerConfiguration(),
        logger: Logger = Logger(label: "paramiko.server"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> SSHServer {
        var configuration = configuration
        configuration.transport.role = .server
        configuration.transport.hostKeys = hostKeys + configuration.transport.hostKeys
        // Without a host key only GSS-API key exchange (RFC 4462 §5, host key algorithm `null`) can run.
        guard !configuration.transport.hostKeys.isEmpty || configuration.transport.gssKeyExchange != nil else {
            throw SSHServerError(.configuration, "a server needs at least one host key")
        }
        let transport = configuration.transport
        let idleTimeout = configuration.idleTimeout
        let live = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let admission = StartupAdmission(
            start: configuration.unauthenticatedStart, rate: configuration.unauthenticatedRate,
            full: configuration.unauthenticatedFull)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 512)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    if let idleTimeout {
                        try child.pipeline.syncOperations.addHandlers(
                            IdleStateHandler(readTimeout: TimeAmount(idleTimeout)), IdleConnectionCloser())
                    }
                    return try TransportChannel.install(on: child, configuration: transport)
                }
            }
        let connection = ServerConnection(
            delegate: delegate, configuration: configuration, admission: admission, logger: logger)
        let task = Task<Void, Never> {
            try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    var number = 0
                    do {
                        for try await child in connections {
                            number += 1
                            let id = ObjectIdentifier(child.channel)
                            guard admission.admit() else {
                                logger.notice("refused a connection: too many unauthenticated ones (MaxStartups)")
                                child.channel.close(promise: nil)
                                continue
                            }
                            live.withLockedValue { $0[id] = child.channel }
                            let current = number
                            // Key exchange, authentication and the channel handlers run on the
                            // connection's own loop, where its packets arrive.
                            group.addTask(executorPreference: child.taskExecutor) {
                                await connection.run(child, number: current)
                                _ = live.withLockedValue { $0.removeValue(forKey: id) }
                            }
                        }
                    } catch {}
                }
            }
        }
        logger.info("listening on \(server.channel.localAddress.map { "\($0)" } ?? "?")")
        return SSHServer(
            localAddress: server.channel.localAddress, listener: server.channel, task: task, live: live,
            admission: admission, configuration: configuration)
    }

    private init(
        localAddress: SocketAddress?, listener: any Channel, task: Task<Void, Never>,
        live: NIOLockedValueBox<[ObjectIdentifier: any Channel]>, admission: StartupAdmission,
        configuration: SSHServerConfiguration
    ) {
        self.localAddress = localAddress
        self.listener = listener
        self.task = task
        self.live = live
        self.admission = admission
        self.configuration = configuration
    }

    /// Stops accepting, lets open connections finish for up to `gracePeriod` (the
    /// configuration's by default), then says DISCONNECT to those left and closes them, and
    /// returns once all have ended.
    public func shutdown(gracePeriod: Duration? = nil) async {
        listener.close(promise: nil)
        let deadline = ContinuousClock.now + (gracePeriod ?? configuration.shutdownGracePeriod)
        while connectionCount > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for channel in live.withLockedValue({ Array($0.values) }) {
            let said = channel.eventLoop.makePromise(of: Void.self)
            channel.writeAndFlush(TransportCommand.disconnect(.byApplication, "the server is shutting down"), promise: said)
            said.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
        // Every connection is closed now; a handler that does not end with its connection
        // (custom code ignoring cancellation) gets one more second, then the server counts as stopped.
        let task = self.task
        let stopped = self.stopped
        Task {
            await task.value
            stopped.signal()
        }
        Task {
            try? await Task.sleep(for: .seconds(1))
            stopped.signal()
        }
        await stopped.wait()
    }

    /// Waits until the server has stopped: its listener and connections ended, or
    /// ``shutdown(gracePeriod:)`` finished.
    public func waitUntilStopped() async {
        let task = self.task
        let stopped = self.stopped
        Task {
            await task.value
            stopped.signal()
        }
        await stopped.wait()
    }
}

/// Wakes every waiter once, for good.
final class StopSignal: Sendable {
    private struct State {
        var signalled = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let waiters = state.withLockedValue { state in
            state.signalled = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state in
                if state.signalled { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
