import Logging
import NIOCore
import SSHConnection
import SSHWire

extension SSHClient {
    /// Local forwarding (ssh -L, RFC 4254 §7.2): listens on `listen` here and carries each
    /// connection to `host`:`port` as seen from the server, over a `direct-tcpip` channel.
    /// The listener closes with the client or with ``ForwardingListener/close()``.
    public func forwardLocal(listen: ForwardingListener.Address, to host: String, port: Int) async throws
        -> ForwardingListener
    {
        let listener = try await ForwardingListener.bind(listen, runtime: runtime) { remote in
            .directTCPIP(
                .init(
                    host: host, port: UInt32(port), originatorAddress: remote?.ipAddress ?? "127.0.0.1",
                    originatorPort: UInt32(remote?.port ?? 0)))
        }
        forwarding.keep(listener)
        logger.debug("Local connections to \(listen) forwarded to remote address \(host):\(port)")
        return listener
    }

    /// Local forwarding to a Unix socket on the server (`direct-streamlocal@openssh.com`).
    public func forwardLocal(listen: ForwardingListener.Address, toSocket path: String) async throws -> ForwardingListener {
        let listener = try await ForwardingListener.bind(listen, runtime: runtime) { _ in
            .directStreamLocal(socketPath: path)
        }
        forwarding.keep(listener)
        logger.debug("Local connections to \(listen) forwarded to remote socket \(path)")
        return listener
    }

    /// Remote forwarding (ssh -R, RFC 4254 §7.1): asks the server to listen on
    /// `address`:`port` (0 lets it choose) and carries each connection it reports to `target`
    /// here. Returns the port the server bound.
    @discardableResult
    public func forwardRemote(address: String = "localhost", port: Int, to target: ForwardingListener.Address)
        async throws -> Int
    {
        let reply = try await runtime.globalRequest(.tcpipForward(address: address, port: UInt32(port)))
        guard reply.success else {
            throw SSHClientError(.refused, "the server refused to listen on \(address):\(port)")
        }
        var data = reply.data
        let bound = port == 0 ? Int(data.readInteger(as: UInt32.self) ?? 0) : port
        forwarding.addRemote(address: address, port: bound, target: target)
        logger.debug("Remote connections from \(address):\(bound) forwarded to local address \(target)")
        return bound
    }

    /// Cancels a remote forwarding (`cancel-tcpip-forward`, RFC 4254 §7.1).
    public func cancelRemoteForward(address: String = "localhost", port: Int) async throws {
        let reply = try await runtime.globalRequest(.cancelTCPIPForward(address: address, port: UInt32(port)))
        forwarding.removeRemote(address: address, port: port)
        guard reply.success else { throw SSHClientError(.refused, "the server had no forwarding on \(address):\(port)") }
    }

    /// Remote forwarding of a Unix socket (`streamlocal-forward@openssh.com`).
    public func forwardRemote(socketPath path: String, to target: ForwardingListener.Address) async throws {
        let reply = try await runtime.globalRequest(.streamLocalForward(socketPath: path))
        guard reply.success else { throw SSHClientError(.refused, "the server refused to listen on \(path)") }
        forwarding.addRemote(address: path, port: 0, target: target)
    }

    /// Cancels a remote forwarding of a Unix socket (`cancel-streamlocal-forward@openssh.com`).
    public func cancelRemoteForward(socketPath path: String) async throws {
        let reply = try await runtime.globalRequest(.cancelStreamLocalForward(socketPath: path))
        forwarding.removeRemote(address: path, port: 0)
        guard reply.success else { throw SSHClientError(.refused, "the server had no forwarding on \(path)") }
    }
}
