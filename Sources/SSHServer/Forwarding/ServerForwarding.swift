import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHConnection
import SSHWire

/// A connection's forwardings on the server (RFC 4254 §7, OpenSSH PROTOCOL §2.4): listeners
/// for `tcpip-forward` and `streamlocal-forward@openssh.com`, and outbound connections for
/// `direct-tcpip` and `direct-streamlocal@openssh.com`. Everything closes with the connection.
actor ServerForwarding {
    private var tcpListeners: [String: ForwardingListener] = [:]
    private var unixListeners: [String: ForwardingListener] = [:]

    private static func key(_ address: String, _ port: Int) -> String { "\(address)|\(port)" }

    /// Where a forwarding's address binds: OpenSSH without GatewayPorts keeps every remote
    /// forwarding on the loopback interface.
    private static func bindHost(_ address: String) -> String {
        switch address {
        case "", "*", "0.0.0.0", "localhost", "127.0.0.1": "127.0.0.1"
        case "::", "::1": "::1"
        default: address
        }
    }

    /// Listens for `tcpip-forward`; returns the bound port, or nil when binding failed.
    func listen(address: String, port: Int, runtime: ConnectionRuntime) async -> Int? {
        do {
            let boundPort = NIOLockedValueBox(port)
            let listener = try await ForwardingListener.bind(.tcp(host: Self.bindHost(address), port: port), runtime: runtime) {
                remote in
                .forwardedTCPIP(
                    .init(
                        host: address, port: UInt32(boundPort.withLockedValue { $0 }), originatorAddress: remote?.ipAddress ?? "",
                        originatorPort: UInt32(remote?.port ?? 0)))
            }
            let bound = listener.localAddress?.port ?? port
            boundPort.withLockedValue { $0 = bound }
            tcpListeners[Self.key(address, port == 0 ? bound : port)] = listener
            return bound
        } catch {
            return nil
        }
    }

    /// Stops a `tcpip-forward`; false when there is none at that address.
    func cancel(address: String, port: Int) -> Bool {
        guard let listener = tcpListeners.removeValue(forKey: Self.key(address, port)) else { return false }
        listener.close()
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
        for listener in tcpListeners.values { listener.close() }
        for (path, listener) in unixListeners {
            listener.close()
            unlink(path)
        }
        tcpListeners = [:]
        unixListeners = [:]
    }
}
