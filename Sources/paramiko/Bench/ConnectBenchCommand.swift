import ArgumentParser
import NIOCore
import NIOPosix
import SSHTransport
import SSHWire

/// `paramiko bench connect`: one connection from TCP connect to the server's SERVICE_ACCEPT
/// for `ssh-userauth` (RFC 4253 §10), the point where authentication would start. `make bench`
/// times the whole process, as it times `ssh` reaching its first authentication attempt.
struct ConnectBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect, exchange keys and reach SERVICE_ACCEPT once, then exit."
    )

    @Option(help: "Server address.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 22

    @Option(help: "Host key algorithms to ask for, comma-separated.")
    var hostKeyAlgorithms: String?

    func run() async throws {
        var configuration = TransportConfiguration(role: .client)
        if let hostKeyAlgorithms {
            configuration.algorithms.hostKey = hostKeyAlgorithms.split(separator: ",").map(String.init)
        }
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let accepted = loop.makePromise(of: Void.self)
        let channel = try await ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TransportHandler(configuration: configuration, hostKeyPolicy: .acceptAny),
                        ServiceAcceptWaiter(accepted: accepted))
                }
            }
            .connect(host: host, port: port).get()
        try await accepted.futureResult.get()
        try? await channel.close()
    }
}

/// Asks for `ssh-userauth` once keys are in place and completes when the server accepts it.
private final class ServiceAcceptWaiter: ChannelInboundHandler {
    typealias InboundIn = TransportEvent
    typealias OutboundOut = TransportCommand

    let accepted: EventLoopPromise<Void>

    init(accepted: EventLoopPromise<Void>) {
        self.accepted = accepted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .keyExchangeComplete(_, initial: true):
            context.writeAndFlush(wrapOutboundOut(.requestService("ssh-userauth")), promise: nil)
        case .serviceAccepted:
            accepted.succeed()
        case .disconnected(let message):
            accepted.fail(TransportError(.peerDisconnected, message.description, peerReason: message.reason))
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        accepted.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        accepted.fail(TransportError(.closed, "connection closed before SERVICE_ACCEPT"))
    }
}
