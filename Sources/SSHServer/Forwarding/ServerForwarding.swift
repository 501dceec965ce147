import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHConnection
import SSHWire

/// A connection's forwardings on the server (RFC 4254 §7, OpenSSH PROTOCOL §2.4): listeners
/// for `tcpip-forward` and `streamlocal-forward@openssh.com`, and outbound connections for
/// `direct-tcpip` and `direct-streamlocal@openssh.com`. Everything closes with the connection.
actor ServerForwarding {
    private var tcpListeners: [String: [ForwardingListener]] = [:]
    private var unixListeners: [String: ForwardingListener] = [:]

    private static func key(_ address: String, _ port: Int) -> String { "\(address)|\(port)" }

    /// Where a forwarding's address binds: sshd without GatewayPorts keeps every remote
    /// forwarding on the loopback interface, on `127.0.0.1` or `::1` when the client names one of
    /// them, else on both (sshd's passive lookup of no host).
    private static func bindHosts(_ address: String) -> [String] {
        switch address {
        case "127.0.0.1": ["127.0.0.1"]
        case "::1": ["::1"]
        default: ["127.0.0.1", "::1"]
        }
    }

    /// Listens for `tcpip-forward`; returns the bound port, or nil when binding failed. On both
    /// loopback addresses, the second takes the port the first bound and is left out when this
    /// host has no such address (no IPv6).
    func listen(address: String, port: Int, runtime: ConnectionRuntime) async -> Int? {
        let boundPort = NIOLockedValueBox(port)
        let channelType: @Sendable (SocketAddress?) -> ChannelType = { remote in
            .forwardedTCPIP(
                .init(
                    host: address, port: UInt32(boundPort.withLockedValue { $0 }), originatorAddress: remote?.ipAddress ?? "",
                    originatorPort: UInt32(remote?.port ?? 0)))
        }
        var listeners: [ForwardingListener] = []
        for (index, host) in Self.bindHosts(address).enumerated() {
            let wanted = index == 0 ? port : boundPort.withLockedValue { $0 }
            do {
                let listener = try await ForwardingListener.bind(
                    .tcp(host: host, port: wanted), runtime: runtime, channelType: channelType)
                if index == 0 { boundPort.withLockedValue { $0 = listener.localAddress?.port ?? port } }
                listeners.append(listener)
            } catch {
                if index == 0 { return nil }
            }
        }
        let bound = boundPort.withLockedValue { $0 }
        tcpListeners[Self.key(address, port == 0 ? bound : port)] = listeners
        return bound
    }

    /// Stops a `tcpip-forward`; false when there is none at that address.
    func cancel(address: String, port: Int) -> Bool {
        guard let listeners = tcpListeners.removeValue(forKey: Self.key(address, port)) else { return false }
        for listener in listeners { listener.close() }
        return true
    }

    /// Listens on a Unix socket for `streamlocal-forward@openssh.com`.
    func listen(path: String, runtime: ConnectionRuntime) async -> Bool {
        do {
            unixListeners[path] = try await ForwardingListener.bind(.unix(path: path), runtime: runtime) { _ in
                .forwardedStreamLocal(socketPath: path)
            }
            return true
        } catch {
            return false
        }
    }

    /// Stops a `streamlocal-forward@openssh.com` and removes its socket.
    func cancel(path: String) -> Bool {
        guard let listener = unixListeners.removeValue(forKey: path) else { return false }
        listener.close()
        unlink(path)
        return true
    }

    /// Closes every listener.
    func closeAll() {
        for listener in tcpListeners.values.joined() { listener.close() }
        for (path, listener) in unixListeners {
            listener.close()
            unlink(path)
        }
        tcpListeners = [:]
        unixListeners = [:]
    }
}
