import NIOCore
import NIOPosix
import SSHConnection
import SSHTransport

/// Where a client's transport runs: a TCP connection (direct, or to a ProxyJump's local
/// forwarding) or a socket shared with a ProxyCommand.
enum TransportTarget: Sendable {
    case tcp(host: String, port: Int, listener: ForwardingListener?)
    case socket(ProxyCommand)

    func connect(
        configuration: TransportConfiguration, policy: HostKeyPolicy, timeout: Duration, bannerTimeout: Duration,
        host: String
    ) async throws -> TransportChannel {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(TimeAmount(timeout))
        let initializer: @Sendable (any Channel) -> EventLoopFuture<TransportChannel> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(BannerTimeoutHandler(timeout: TimeAmount(bannerTimeout)))
                return try TransportChannel.install(on: channel, configuration: configuration, hostKeyPolicy: policy)
            }
        }
        switch self {
        case .tcp(let address, let port, _):
            do {
                return try await bootstrap.connect(host: address, port: port, channelInitializer: initializer)
            } catch let error as NIOConnectionError {
                if error.dnsAAAAError != nil || error.dnsAError != nil, error.connectionErrors.isEmpty {
                    throw SSHClientError(.unknownHost, "could not resolve hostname \(host)")
                }
                throw SSHClientError(.connectionFailed, "connect to host \(host) port \(port): \(Self.reason(error))")
            } catch let error as ChannelError where error == .connectTimeout(TimeAmount(timeout)) {
                throw SSHClientError(.timedOut, "connect to host \(host) port \(port): timed out")
            } catch {
                throw SSHClientError(.connectionFailed, "connect to host \(host) port \(port): \(error)")
            }
        case .socket(let proxy):
            do {
                return try await bootstrap.withConnectedSocket(proxy.socket, channelInitializer: initializer)
            } catch {
                throw SSHClientError(.proxyFailed, "ProxyCommand: \(error)")
            }
        }
    }

    private static func reason(_ error: NIOConnectionError) -> String {
        guard let first = error.connectionErrors.first else { return "no address" }
        if let io = first.error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(first.error)"
    }

    /// Stops what the target started: the jump host's listener, the proxy command.
    func cleanUp() {
        switch self {
        case .tcp(_, _, let listener): listener?.close()
        case .socket(let proxy): proxy.terminate()
        }
    }
}
