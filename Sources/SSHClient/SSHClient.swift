import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHTransport
import SSHWire

/// An SSH client connection (RFC 4251–4254): what Paramiko's `SSHClient` is. `connect`
/// reaches the server (over TCP, a ProxyCommand or a ProxyJump chain), checks its host key,
/// authenticates, and keeps the connection until ``close()``; commands, shells, forwardings and
/// SFTP run over it.
public final class SSHClient: Sendable {
    /// The connection protocol runtime: channels and global requests.
    public let runtime: ConnectionRuntime
    /// The server's host key as verified; nil after a GSS-API key exchange (RFC 4462 §2), in
    /// which the Kerberos context, not a host key, authenticated the server.
    public let hostKey: SSHPublicKey?
    /// What the first key exchange negotiated.
    public let negotiated: NegotiatedAlgorithms
    /// The server's identification line.
    public let serverVersion: String
    /// The methods that authenticated us, in order.
    public let authenticationMethods: [String]
    let forwarding: ClientForwardingState
    /// The configuration's logger.
    let logger: Logger
    private let closer: AsyncStream<Void>.Continuation
    private let task: Task<Void, Never>
    private let jump: SSHClient?
    private let socket: any Channel
    private let ipQoS: (interactive: Int?, bulk: Int?)

    private init(
        ready: Ready, forwarding: ClientForwardingState, closer: AsyncStream<Void>.Continuation, task: Task<Void, Never>,
        jump: SSHClient?, logger: Logger
    ) {
        self.logger = logger
        runtime = ready.runtime
        socket = ready.socket
        ipQoS = ready.ipQoS
        hostKey = ready.hostKey
        negotiated = ready.negotiated
        serverVersion = ready.serverVersion
        authenticationMethods = ready.methods
        self.forwarding = forwarding
        self.closer = closer
        self.task = task
        self.jump = jump
    }

    private struct Ready: Sendable {
        var runtime: ConnectionRuntime
        var socket: any Channel
        var ipQoS: (interactive: Int?, bulk: Int?)
        var hostKey: SSHPublicKey?
        var negotiated: NegotiatedAlgorithms
        var serverVersion: String
        var methods: [String]
    }

    /// Connects to `host`:`port` as `username`, trying `authentication`'s credentials in its
    /// order, with `hostKeyPolicy` judging the server's key. Errors say which step failed.
    public static func connect(
        host: String, port: Int = 22, username: String, authentication: AuthStrategy,
        hostKeyPolicy: SSHHostKeyPolicy = .knownHosts(), configuration: SSHClientConfiguration = SSHClientConfiguration()
    ) async throws -> SSHClient {
        let configuration = await withUsableGSSKeyExchange(configuration)
        var jumpClient: SSHClient?
        let target: TransportTarget
        let logger = configuration.logger
        if let command = configuration.proxyCommand {
            logger.debug("Executing proxy command: \(command)")
            target = .socket(try ProxyCommand.start(command))
        } else if !configuration.proxyJump.isEmpty {
            // The last jump host is reached through the ones before it, and reaches the target.
            // A jump host is a host of its own: the destination's GSS-API target does not name it.
            var hopConfiguration = configuration.withoutGSSKeyExchange()
            var chain = configuration.proxyJump
            let last = chain.removeLast()
            hopConfiguration.proxyJump = chain
            hopConfiguration.proxyCommand = nil
            if let own = last.transport { hopConfiguration.transport = own }
            let hop = try await connect(
                host: last.host, port: last.port, username: last.user ?? username,
                authentication: last.authentication ?? authentication, hostKeyPolicy: last.hostKeyPolicy ?? hostKeyPolicy,
                configuration: hopConfiguration)
            jumpClient = hop
            logger.debug("Connecting to \(host) port \(port) through \(last.host).")
            do {
                let listener = try await hop.forwardLocal(listen: .tcp(host: "127.0.0.1", port: 0), to: host, port: port)
                target = .tcp(host: "127.0.0.1", port: listener.localAddress?.port ?? 0, listener: listener)
            } catch {
                await hop.close()
                throw SSHClientError(.proxyFailed, "the jump host \(last.host) cannot forward to \(host):\(port): \(error)")
            }
        } else {
            logger.debug("Connecting to \(host) port \(port).")
            target = .tcp(host: host, port: port, listener: nil)
        }
        do {
            return try await establish(
                target: target, host: host, port: port, username: username, authentication: authentication,
                hostKeyPolicy: hostKeyPolicy, configuration: configuration, jump: jumpClient)
        } catch {
            await jumpClient?.close()
            throw error
        }
    }

    private static func establish(
        target: TransportTarget, host: String, port: Int, username: String, authentication: AuthStrategy,
        hostKeyPolicy: SSHHostKeyPolicy, configuration: SSHClientConfiguration, jump: SSHClient?
    ) async throws -> SSHClient {
        let verdict = NIOLockedValueBox<(SSHPublicKey?, SSHClientError?)>((nil, nil))
        let warn = configuration.messageHandler ?? { _ in }
        let logger = configuration.logger
        // The address connected to, for a host-key question; known once the socket is up.
        let connectedAddress = NIOLockedValueBox<String?>(nil)
        let policy = HostKeyPolicy.ask { blob, _ in
            guard let key = try? SSHPublicKey(blob: blob) else { return false }
            logger.debug("Server host key: \(key.keyType) \(key.fingerprint())")
            let problem = await hostKeyPolicy.judge(
                key, host: host, port: port, address: connectedAddress.withLockedValue { $0 }, warn: warn)
            verdict.withLockedValue { $0 = (key, problem) }
            return problem == nil
        }
        let asyncChannel = try await target.connect(
            configuration: configuration.transport, policy: policy, timeout: configuration.connectTimeout,
            bannerTimeout: configuration.bannerTimeout, host: host, family: configuration.addressFamily,
            bindAddress: configuration.bindAddress, bindInterface: configuration.bindInterface,
            attempts: configuration.connectionAttempts,
            keepAlive: configuration.tcpKeepAlive, logger: logger)
        logger.debug("Connection established.")
        let address = asyncChannel.channel.remoteAddress?.ipAddress ?? host
        connectedAddress.withLockedValue { $0 = address }
        let forwarding = ClientForwardingState(agentSocket: configuration.forwardAgent, x11: configuration.x11Forwarding)
        let (readyStream, readyContinuation) = AsyncStream<Result<Ready, any Error>>.makeStream()
        let (closeStream, closer) = AsyncStream<Void>.makeStream()
        let handshakeTimer = asyncChannel.channel.eventLoop.scheduleTask(in: TimeAmount(configuration.handshakeTimeout)) {
            asyncChannel.channel.close(promise: nil)
        }
        // The handshake and the connection's upkeep run on its own loop, where its packets arrive.
        let task = Task<Void, Never>(executorPreference: asyncChannel.taskExecutor) {
            do {
                try await TransportConnection.withEstablished(asyncChannel, role: .client) { transport in
                    handshakeTimer.cancel()
                    Self.logHandshake(transport, to: logger)
                    logger.debug("Authenticating to \(host):\(port) as '\(username)'")
                    var client = UserAuthClient(userName: username)
                    client.timeLimit = configuration.authenticationTimeout
                    client.publicKeyAlgorithms = configuration.publicKeyAlgorithms
                    client.logger = logger
                    if let handler = configuration.messageHandler { client.bannerHandler = { handler($0) } }
                    let result: UserAuthResult
                    do {
                        result = try await client.authenticate(over: transport, credentials: authentication.credentials().credentials)
                    } catch let error as AuthError {
                        try? await transport.disconnect(.noMoreAuthMethodsAvailable, "")
                        // ssh's words when every method was tried: scripts look for them.
                        let detail = error.code == .exhausted
                            ? "Permission denied (\(error.allowedMethods.joined(separator: ",")))." : error.detail
                        throw SSHClientError(.authenticationFailed, "\(username)@\(host): \(detail)")
                    }
                    try await transport.authenticationSucceeded()
                    logger.info("Authenticated to \(host) ([\(address)]:\(port)) using \"\(result.method)\".")
                    // After a GSS-API key exchange the context authenticated the server; its key, if it
                    // sent one, is not judged.
                    let hostKey = verdict.withLockedValue { $0.0 } ?? (try? SSHPublicKey(blob: transport.serverHostKeyBlob))
                    let gssAuthenticated = transport.negotiated.keyExchange.usesGSSAPI
                    var handlers = forwarding.handlers()
                    let rotation = Self.hostKeyRotation(
                        configuration, policy: hostKeyPolicy, host: host, port: port, transport: transport, key: hostKey,
                        tell: warn)
                    if let rotation {
                        let others = handlers.globalRequest
                        handlers.globalRequest = { request, runtime in
                            guard case .hostKeys(let blobs) = request else { return await others(request, runtime) }
                            await rotation.received(blobs, runtime: runtime)
                            return (false, [])
                        }
                    }
                    // Through a jump host the socket's round trip is the local forward's, not the path's.
                    try await ConnectionRuntime.withRuntime(
                        over: transport, configuration: configuration.channels, handlers: handlers,
                        socketIsThePath: jump == nil
                    ) { runtime in
                        guard hostKey != nil || gssAuthenticated else {
                            throw SSHClientError(.hostKeyUnknown, "no host key was presented")
                        }
                        readyContinuation.yield(
                            .success(
                                Ready(
                                    runtime: runtime, socket: asyncChannel.channel, ipQoS: configuration.ipQoS,
                                    hostKey: hostKey, negotiated: transport.negotiated,
                                    serverVersion: transport.peerIdentification, methods: result.methods)))
                        await withTaskGroup(of: Void.self) { group in
                            if let interval = configuration.keepaliveInterval {
                                group.addTask {
                                    await Keepalive(runtime: runtime, interval: interval, countMax: configuration.keepaliveCountMax)
                                        .run()
                                    closer.finish()
                                }
                            }
                            for await _ in closeStream {}
                            group.cancelAll()
                        }
                        await rotation?.finish()
                        await forwarding.closeAll()
                        try? await transport.disconnect(.byApplication, "closed by the user")
                    }
                }
            } catch {
                handshakeTimer.cancel()
                readyContinuation.yield(.failure(Self.explain(error, verdict: verdict.withLockedValue { $0.1 }, host: host)))
            }
            readyContinuation.finish()
            target.cleanUp()
        }
        var iterator = readyStream.makeAsyncIterator()
        guard let first = await iterator.next() else {
            throw SSHClientError(.closed, "the connection to \(host) ended")
        }
        let ready = try first.get()
        return SSHClient(ready: ready, forwarding: forwarding, closer: closer, task: task, jump: jump, logger: logger)
    }

    /// `configuration` with GSS-API key exchange left out unless a context can start (there is a
    /// ticket for the server), as ssh offers the `gss-*` methods only then: a key exchange that
    /// could only fail is not proposed.
    private static func withUsableGSSKeyExchange(_ configuration: SSHClientConfiguration) async -> SSHClientConfiguration {
        guard let gss = configuration.transport.gssKeyExchange else { return configuration }
        let usable = (try? await NIOThreadPool.singleton.runIfActive { _ = try gss.makeContext().initiate(nil) }) != nil
        guard !usable else { return configuration }
        configuration.logger.debug("No GSS-API credentials for the key exchange: not offering it")
        return configuration.withoutGSSKeyExchange()
    }

    /// UpdateHostKeys for this connection, when the configuration asks for it and the policy
    /// records keys in a known_hosts file.
    private static func hostKeyRotation(
        _ configuration: SSHClientConfiguration, policy: SSHHostKeyPolicy, host: String, port: Int,
        transport: TransportConnection, key: SSHPublicKey?, tell: @escaping @Sendable (String) -> Void
    ) -> HostKeyRotationTask? {
        guard configuration.updatesHostKeys, let (file, hashNames) = policy.recordingFile, let key else { return nil }
        return HostKeyRotationTask(
            HostKeyRotation(
                file: file, hashNames: hashNames, host: host, port: port, sessionID: transport.sessionID,
                negotiatedHostKey: transport.negotiated.hostKey, connectionKey: key,
                hostKeyAlgorithms: configuration.transport.algorithms.hostKey, approval: configuration.hostKeyUpdateApproval, logger: configuration.logger, tell: tell))
    }

    /// The server's version and what the key exchange chose, as `ssh -v` shows them.
    private static func logHandshake(_ transport: TransportConnection, to logger: Logger) {
        let identification = transport.peerIdentification.split(separator: "-", maxSplits: 2)
        if identification.count == 3 {
            logger.debug(
                "Remote protocol version \(identification[1]), remote software version \(identification[2])")
        }
        let negotiated = transport.negotiated
        logger.debug("kex: algorithm: \(negotiated.keyExchange.name)")
        logger.debug("kex: host key algorithm: \(negotiated.hostKey)")
        for (way, cipher, mac, compression) in [
            ("server->client", negotiated.cipherServerToClient.name, negotiated.macServerToClient?.name,
             negotiated.compressionServerToClient),
            ("client->server", negotiated.cipherClientToServer.name, negotiated.macClientToServer?.name,
             negotiated.compressionClientToServer),
        ] {
            logger.debug("kex: \(way) cipher: \(cipher) MAC: \(mac ?? "<implicit>") compression: \(compression)")
        }
    }

    /// The error to report: the host-key verdict when that refused, else the error itself.
    private static func explain(_ error: any Error, verdict: SSHClientError?, host: String) -> any Error {
        if let verdict { return verdict }
        if let transport = error as? TransportError {
            if transport.code == .closed || transport.code == .timedOut {
                return SSHClientError(
                    .timedOut, "\(host): no identification or key exchange in time, or the connection closed (\(transport.detail))")
            }
        }
        return error
    }

    /// Starts a key re-exchange (RFC 4253 §9), as Paramiko's `Transport.renegotiate_keys` does;
    /// returns once it is asked for, while channels go on.
    public func rekey() async throws {
        try await runtime.rekey()
    }

    /// Marks the connection's packets with the configuration's IPQoS traffic class for an
    /// interactive session (a terminal) or for bulk traffic, as ssh does once it knows which
    /// (`IP_TOS`, or `IPV6_TCLASS` over IPv6). Nothing changes when that class is nil, or through
    /// a proxy command.
    public func markTraffic(interactive: Bool) async {
        guard let value = interactive ? ipQoS.interactive : ipQoS.bulk, let option = trafficClassOption else { return }
        logger.debug("Setting the IP traffic class to 0x\(String(value, radix: 16)).")
        try? await socket.setOption(option, value: value).get()
    }

    /// The connection's IP traffic class (TOS / DSCP), as the socket has it; nil when it is not an IP socket.
    public func trafficClass() async -> Int? {
        guard let option = trafficClassOption else { return nil }
        return try? await socket.getOption(option).get()
    }

    private var trafficClassOption: ChannelOptions.Types.SocketOption? {
        switch socket.remoteAddress {
        case .v4?: .ipOption(.init(rawValue: IP_TOS))
        case .v6?: .init(level: .init(rawValue: Int32(IPPROTO_IPV6)), name: .init(rawValue: IPV6_TCLASS))
        default: nil
        }
    }

    /// Ends every channel, says DISCONNECT, and closes the connection (and the jump hosts').
    public func close() async {
        closer.finish()
        await task.value
        await jump?.close()
    }
}
