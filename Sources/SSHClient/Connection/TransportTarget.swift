import Foundation
import Logging
import NIOCore
import NIOPosix
import SSHConfig
import SSHConnection
import SSHTransport

/// Where a client's transport runs: a TCP connection (direct, or to a ProxyJump's local
/// forwarding) or a socket shared with a ProxyCommand.
enum TransportTarget: Sendable {
    case tcp(host: String, port: Int, listener: ForwardingListener?)
    case socket(ProxyCommand)

    /// Connects; a TCP target with an `AddressFamily`, a `BindAddress` or a `BindInterface` is
    /// resolved to addresses of that family (and of the bind address's) and tried in the
    /// resolver's order, each from the interface's address of its family.
    func connect(
        configuration: TransportConfiguration, policy: HostKeyPolicy, timeout: Duration, bannerTimeout: Duration,
        host: String, family: SSHClientConfiguration.AddressFamily = .any, bindAddress: String? = nil,
        bindInterface: String? = nil, attempts: Int = 1, keepAlive: Bool = true, logger: Logger? = nil
    ) async throws -> TransportChannel {
        // ConnectionAttempts: a failed TCP connection is tried again a second later, as ssh does.
        if case .tcp = self {
            for attempt in 1..<max(1, attempts) {
                do {
                    return try await connectOnce(
                        configuration: configuration, policy: policy, timeout: timeout, bannerTimeout: bannerTimeout,
                        host: host, family: family, bindAddress: bindAddress, bindInterface: bindInterface,
                        keepAlive: keepAlive)
                } catch let error as SSHClientError where [.connectionFailed, .timedOut].contains(error.code) {
                    logger?.debug("\(error.detail); trying again (attempt \(attempt + 1) of \(attempts))")
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
        return try await connectOnce(
            configuration: configuration, policy: policy, timeout: timeout, bannerTimeout: bannerTimeout, host: host,
            family: family, bindAddress: bindAddress, bindInterface: bindInterface, keepAlive: keepAlive)
    }

    private func connectOnce(
        configuration: TransportConfiguration, policy: HostKeyPolicy, timeout: Duration, bannerTimeout: Duration,
        host: String, family: SSHClientConfiguration.AddressFamily, bindAddress: String?, bindInterface: String?,
        keepAlive: Bool
    ) async throws -> TransportChannel {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: keepAlive ? 1 : 0)
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
                guard family != .any || bindAddress != nil || bindInterface != nil else {
                    return try await bootstrap.connect(host: address, port: port, channelInitializer: initializer)
                }
                var wanted = family
                // Where each candidate is connected from: the bind address, or the interface's
                // address of the candidate's family, or (neither set) wherever the system picks.
                var source: (SocketAddress) -> SocketAddress? = { _ in nil }
                // Why a candidate with no such address is passed over.
                var unsuitable: String?
                if let bindAddress {
                    // A name is resolved as ssh resolves it, and each candidate is connected from
                    // the first of its addresses of the candidate's family.
                    let locals: [SocketAddress]
                    if let numeric = try? SocketAddress(ipAddress: bindAddress, port: 0) {
                        locals = [numeric]
                    } else {
                        do {
                            locals = try await Self.resolve(bindAddress, port: 0, family: family, host: bindAddress)
                        } catch {
                            throw SSHClientError(.connectionFailed, "BindAddress \(bindAddress): could not resolve")
                        }
                    }
                    source = { candidate in locals.first { $0.protocol == candidate.protocol } }
                    if locals.allSatisfy({ $0.protocol == .inet }) { wanted = .inet }
                    if locals.allSatisfy({ $0.protocol == .inet6 }) { wanted = .inet6 }
                    unsuitable = "BindAddress \(bindAddress): no address of the host's family"
                } else if let bindInterface {
                    unsuitable = "getifaddrs: \(bindInterface): no suitable addresses"
                    let interfaceAddresses = InterfaceAddress.all()
                    source = { candidate in
                        InterfaceAddress.bindAddress(
                            on: bindInterface, ipv6: candidate.protocol == .inet6, among: interfaceAddresses
                        ).flatMap { try? SocketAddress(ipAddress: $0.address, port: 0) }
                    }
                }
                let addresses = try await Self.resolve(address, port: port, family: wanted, host: host)
                var failure: String?
                for candidate in addresses {
                    let local = source(candidate)
                    if local == nil, let unsuitable {
                        failure = failure ?? unsuitable
                        continue
                    }
                    do {
                        return try await (local.map { bootstrap.bind(to: $0) } ?? bootstrap)
                            .connect(to: candidate, channelInitializer: initializer)
                    } catch {
                        failure = Self.reason(error)
                    }
                }
                throw SSHClientError(.connectionFailed, "connect to host \(host) port \(port): \(failure ?? "no address")")
            } catch let error as SSHClientError {
                throw error
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

    /// `name`'s addresses of `family` (getaddrinfo, on NIO's thread pool), in the resolver's order.
    private static func resolve(
        _ name: String, port: Int, family: SSHClientConfiguration.AddressFamily, host: String
    ) async throws -> [SocketAddress] {
        let wanted: Int32 =
            switch family {
            case .any: AF_UNSPEC
            case .inet: AF_INET
            case .inet6: AF_INET6
            }
        let addresses = try await NIOThreadPool.singleton.runIfActive { () -> [SocketAddress] in
            var hints = addrinfo()
            hints.ai_family = wanted
            #if canImport(Glibc)
                hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            #else
                hints.ai_socktype = SOCK_STREAM
            #endif
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(name, String(port), &hints, &list) == 0, let first = list else { return [] }
            defer { freeaddrinfo(first) }
            var found: [SocketAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if let address = entry.pointee.ai_addr {
                    switch entry.pointee.ai_family {
                    case AF_INET:
                        found.append(address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: name) })
                    case AF_INET6:
                        found.append(address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: name) })
                    default:
                        break
                    }
                }
                cursor = entry.pointee.ai_next
            }
            return found
        }
        guard !addresses.isEmpty else { throw SSHClientError(.unknownHost, "could not resolve hostname \(host)") }
        return addresses
    }

    private static func reason(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError { return reason(connection) }
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
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
