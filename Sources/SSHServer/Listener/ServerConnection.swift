import Logging
import NIOConcurrencyHelpers
import NIOCore
import SSHAuth
import SSHConnection
import SSHTransport
import SSHWire

/// One client connection on the server: the transport and user authentication under the
/// login grace time (from accept, as sshd counts it), then the connection protocol with the
/// delegate deciding channels, session requests, forwardings and global requests.
struct ServerConnection<Delegate: SSHServerDelegate>: Sendable {
    let delegate: Delegate
    let configuration: SSHServerConfiguration
    let admission: StartupAdmission
    let logger: Logger

    func run(_ connection: TransportChannel, number: Int) async {
        let raw = connection.channel
        let remote = raw.remoteAddress
        let logger = {
            var logger = self.logger
            logger[metadataKey: "connection"] = "\(number)"
            return logger
        }()
        logger.debug("accepted from \(remote.map { "\($0)" } ?? "?")")
        let graceTimer = configuration.authentication.loginGraceTime.map { grace in
            raw.eventLoop.scheduleTask(in: TimeAmount(grace)) {
                logger.info("no login within the grace time: closing")
                raw.close(promise: nil)
            }
        }
        var authentication = configuration.authentication
        authentication.loginGraceTime = nil
        let admitted = LeaveOnce(admission)
        defer {
            graceTimer?.cancel()
            admitted.leave()
        }
        do {
            try await TransportConnection.withEstablished(connection, role: .server) { transport in
                let identity: AuthenticatedIdentity
                do {
                    identity = try await UserAuthServer(configuration: authentication).run(over: transport, delegate: delegate)
                } catch let error as AuthError {
                    logger.info("authentication failed: \(error.detail)")
                    try? await transport.disconnect(.noMoreAuthMethodsAvailable, error.detail)
                    return
                }
                graceTimer?.cancel()
                admitted.leave()
                try await transport.authenticationSucceeded()
                logger.info("\(identity.user) logged in with \(identity.methods.joined(separator: ","))")
                let info = SSHServerConnectionInfo(
                    identity: identity, remoteAddress: remote, clientVersion: transport.peerIdentification,
                    serverVersion: transport.identification, number: number)
                let state = ConnectionState(maximumSessions: configuration.maximumSessions)
                let proof = HostKeyProof(
                    hostKeys: configuration.transport.hostKeys, sessionID: transport.sessionID,
                    negotiatedHostKey: transport.negotiated.hostKey)
                if configuration.announcesHostKeys, !proof.keys.isEmpty { try await transport.send(proof.announcement) }
                let handlers = handlers(info: info, state: state, proof: proof, logger: logger)
                let ended = await ConnectionRuntime.serve(
                    over: transport, configuration: configuration.channels, handlers: handlers)
                await state.forwarding.closeAll()
                await state.agent.close()
                logger.debug("connection ended: \(ended)")
            }
        } catch {
            logger.debug("connection ended: \(error)")
        }
    }

    private func handlers(info: SSHServerConnectionInfo, state: ConnectionState, proof: HostKeyProof, logger: Logger)
        -> ConnectionHandlers
    {
        let delegate = self.delegate
        let subsystems = configuration.subsystems
        return ConnectionHandlers(
            channelOpen: { type in
                guard await delegate.acceptsChannel(type, connection: info) else {
                    return .reject(.administrativelyProhibited, "\(type.name) is not allowed")
                }
                switch type {
                case .session:
                    guard await state.openSession() else {
                        return .reject(.administrativelyProhibited, "no more sessions")
                    }
                    let context = SessionContext(connection: info, subsystems: subsystems)
                    return .accept(receivesRequests: true) { channel in
                        await SessionChannel(
                            channel: channel, delegate: delegate, context: context, agent: state.agent, logger: logger
                        ).run()
                        await state.closeSession()
                    }
                case .directTCPIP(let target):
                    guard let socket = await ForwardingListener.Address.tcp(host: target.host, port: Int(target.port)).connect()
                    else { return .reject(.connectFailed, "cannot connect to \(target.host):\(target.port)") }
                    return .accept(receivesRequests: false) { channel in try? await channel.bridge(to: socket) }
                case .directStreamLocal(let path):
                    guard let socket = await ForwardingListener.Address.unix(path: path).connect() else {
                        return .reject(.connectFailed, "cannot connect to \(path)")
                    }
                    return .accept(receivesRequests: false) { channel in try? await channel.bridge(to: socket) }
                case .tunnel(let mode, let unit):
                    let device: TunnelDevice
                    do {
                        device = try TunnelDevice.open(mode: mode, unit: unit)
                    } catch {
                        logger.info("tunnel to unit \(unit) refused: \(error)")
                        return .reject(.administrativelyProhibited, "open failed")
                    }
                    logger.debug("\(mode) tunnel on \(device.name)")
                    return .accept(receivesRequests: false) { channel in
                        try? await channel.carry(tunnel: device)
                        device.close()
                    }
                default:
                    return .reject(.unknownChannelType, "\(type.name) is not served")
                }
            },
            globalRequest: { request, runtime in
                switch request {
                case .tcpipForward(let address, let port):
                    guard await delegate.allowsRemoteForward(address: address, port: Int(port), connection: info),
                        let bound = await state.forwarding.listen(address: address, port: Int(port), runtime: runtime)
                    else { return (false, []) }
                    var data = ByteBuffer()
                    if port == 0 { data.writeInteger(UInt32(bound)) }
                    return (true, Array(data.readableBytesView))
                case .cancelTCPIPForward(let address, let port):
                    return (await state.forwarding.cancel(address: address, port: Int(port)), [])
                case .streamLocalForward(let path):
                    guard await delegate.allowsStreamLocalForward(path: path, connection: info) else { return (false, []) }
                    return (await state.forwarding.listen(path: path, runtime: runtime), [])
                case .cancelStreamLocalForward(let path):
                    return (await state.forwarding.cancel(path: path), [])
                case .noMoreSessions:
                    await state.refuseMoreSessions()
                    return (true, [])
                case .keepAlive:
                    // As OpenSSH: an unknown request's failure is the proof of life.
                    return (false, [])
                case .hostKeysProve(let requested):
                    guard let signatures = proof.prove(requested) else { return (false, []) }
                    return (true, signatures)
                default:
                    return (await delegate.globalRequest(request, connection: info), [])
                }
            })
    }
}

/// What a connection keeps across its channels: the session count (MaxSessions,
/// no-more-sessions@openssh.com), forwardings and the agent socket.
actor ConnectionState {
    let forwarding = ServerForwarding()
    let agent = AgentForwarding()
    private let maximumSessions: Int
    private var sessions = 0
    private var moreSessionsRefused = false

    init(maximumSessions: Int) {
        self.maximumSessions = maximumSessions
    }

    func openSession() -> Bool {
        guard !moreSessionsRefused, sessions < maximumSessions else { return false }
        sessions += 1
        return true
    }

    func closeSession() { sessions -= 1 }

    func refuseMoreSessions() { moreSessionsRefused = true }
}

/// Makes an admitted connection leave the unauthenticated count exactly once.
private final class LeaveOnce: Sendable {
    private let admission: StartupAdmission
    private let left = NIOLockedValueBox(false)

    init(_ admission: StartupAdmission) { self.admission = admission }

    func leave() {
        let first = left.withLockedValue { left in
            defer { left = true }
            return !left
        }
        if first { admission.leave() }
    }
}
