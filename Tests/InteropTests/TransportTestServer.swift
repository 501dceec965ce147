import NIOCore
import NIOPosix
import SSHTransport
import SSHWire

/// A server that runs only the transport: it accepts `ssh-userauth`, then answers the first
/// authentication request with DISCONNECT, so a client's progress can be read off its output.
/// With `rekeyOnServiceRequest` it starts a key re-exchange as it accepts the service.
final class TransportOnlyServerHandler: ChannelInboundHandler {
    typealias InboundIn = TransportEvent
    typealias OutboundOut = TransportCommand

    let rekeyOnServiceRequest: Bool
    /// The refusal waits for the re-exchange this server started, so the client sees it finish.
    private var rekeyed: Bool
    private var refusalDue = false

    init(rekeyOnServiceRequest: Bool) {
        self.rekeyOnServiceRequest = rekeyOnServiceRequest
        self.rekeyed = !rekeyOnServiceRequest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .payload:
            refusalDue = true
        case .serviceRequested where rekeyOnServiceRequest:
            context.writeAndFlush(wrapOutboundOut(.rekey), promise: nil)
        case .keyExchangeComplete(_, initial: false):
            rekeyed = true
        default:
            break
        }
        if refusalDue && rekeyed {
            refusalDue = false
            context.writeAndFlush(
                wrapOutboundOut(.disconnect(.noMoreAuthMethodsAvailable, "transport test server")), promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

enum TransportTestServer {
    /// Listens on 127.0.0.1 on a free port with `configuration`; close the returned channel to stop.
    static func start(
        configuration: TransportConfiguration, rekeyOnServiceRequest: Bool = false
    ) async throws -> (channel: Channel, port: Int) {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(
                        TransportHandler(configuration: configuration),
                        TransportOnlyServerHandler(rekeyOnServiceRequest: rekeyOnServiceRequest))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, channel.localAddress?.port ?? 0)
    }
}
