import NIOCore
import NIOPosix
import NIOConcurrencyHelpers
import SSHCrypto
import SSHTestSupport
import SSHTransport
import SSHWire

/// What a probe connection saw before it stopped at SERVICE_ACCEPT.
struct ProbeResult: Sendable {
    var negotiated: NegotiatedAlgorithms
    var hostKeyBlob: [UInt8]
    var serverIdentification: String
    var serverSignatureAlgorithms: [String]?
}

/// Collects transport events: asks for `ssh-userauth` once keys are in place and reports the
/// result when the server accepts it.
final class ProbeHandler: ChannelInboundHandler {
    typealias InboundIn = TransportEvent
    typealias OutboundOut = TransportCommand

    let promise: EventLoopPromise<ProbeResult>
    let transport: TransportHandler
    var identification = ""
    var hostKey: [UInt8] = []
    var rekeys: Int
    var completedExchanges = 0

    init(promise: EventLoopPromise<ProbeResult>, transport: TransportHandler, rekeys: Int) {
        self.promise = promise
        self.transport = transport
        self.rekeys = rekeys
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .identification(let line):
            identification = line
        case .keyExchangeComplete(_, let initial):
            completedExchanges += 1
            if initial {
                context.writeAndFlush(wrapOutboundOut(.requestService("ssh-userauth")), promise: nil)
            } else {
                rekeyOrFinish(context)
            }
        case .serviceAccepted:
            rekeyOrFinish(context)
        case .disconnected(let message):
            promise.fail(TransportError(.peerDisconnected, message.description, peerReason: message.reason))
        default:
            break
        }
    }

    /// Starts the next requested re-exchange, or reports the result when none is left.
    private func rekeyOrFinish(_ context: ChannelHandlerContext) {
        if rekeys > 0 {
            rekeys -= 1
            context.writeAndFlush(wrapOutboundOut(.rekey), promise: nil)
        } else {
            finishIfReady(context)
        }
    }

    private var accepted = false
    private func finishIfReady(_ context: ChannelHandlerContext) {
        guard let negotiated = transport.negotiated else { return }
        if accepted { return }
        accepted = true
        promise.succeed(
            ProbeResult(
                negotiated: negotiated, hostKeyBlob: hostKey, serverIdentification: identification,
                serverSignatureAlgorithms: transport.serverSignatureAlgorithms))
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(TransportError(.closed, "connection closed before SERVICE_ACCEPT"))
    }
}

enum TransportProbe {
    static let group = MultiThreadedEventLoopGroup.singleton

    /// Connects to 127.0.0.1:`port`, runs the key exchange and stops once `ssh-userauth` is accepted.
    /// A failure carries `log()`, the peer's own account, in its message.
    static func run(
        port: Int, configuration: TransportConfiguration, rekeys: Int = 0, log: () -> String = { "" }
    ) async throws -> ProbeResult {
        do {
            return try await connect(port: port, configuration: configuration, rekeys: rekeys)
        } catch {
            throw PeerError("\(error)\n--- peer log ---\n\(log())")
        }
    }

    private static func connect(port: Int, configuration: TransportConfiguration, rekeys: Int) async throws -> ProbeResult {
        let seen = HostKeyRecorder()
        let loop = group.next()
        let promise = loop.makePromise(of: ProbeResult.self)
        // The handlers go in before the socket is active, so no byte of the server's greeting is lost.
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let transport = TransportHandler(
                        configuration: configuration,
                        hostKeyPolicy: .check { blob, _ in
                            seen.record(blob)
                            return true
                        })
                    let probe = ProbeHandler(promise: promise, transport: transport, rekeys: rekeys)
                    try channel.pipeline.syncOperations.addHandlers(transport, probe)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var result = try await promise.futureResult.get()
        result.hostKeyBlob = seen.blob
        try? await channel.close()
        return result
    }
}

final class HostKeyRecorder: @unchecked Sendable {
    private let lock = NIOLock()
    private var recorded: [UInt8] = []
    func record(_ blob: [UInt8]) { lock.withLock { recorded = blob } }
    var blob: [UInt8] { lock.withLock { recorded } }
}
