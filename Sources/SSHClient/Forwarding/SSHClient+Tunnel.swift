import Logging
import NIOCore
import SSHConnection
import SSHWire

extension SSHClient {
    /// Opens a `tun@openssh.com` channel to the server's tun or tap device `remoteUnit` (OpenSSH
    /// PROTOCOL §2.3): each message on it is one packet, framed as ``TunnelFraming`` says. Write
    /// packets with ``SSHChannel/writeDatagram(_:)``. Throws when the server refuses (sshd does
    /// unless its `PermitTunnel` allows the mode).
    public func openTunnel(mode: TunnelMode = .pointToPoint, remoteUnit: TunnelUnit = .any) async throws -> SSHChannel {
        do {
            return try await runtime.openChannel(.tunnel(mode: mode, unit: remoteUnit))
        } catch let error as ConnectionError where error.code == .channelClosed {
            throw SSHClientError(.refused, "the server refused a \(mode) tunnel to unit \(remoteUnit): \(error.detail)")
        }
    }

    /// Tunnel forwarding (ssh -w, `Tunnel`, `TunnelDevice`): opens this host's tun device (or tap
    /// device for `.ethernet`) `localUnit`, a channel to the server's `remoteUnit`, and carries the
    /// packets between them until either closes or ``TunnelForwarding/close()``. Configuring the
    /// two interfaces (addresses, routes, bringing them up) is left to the caller, as ssh leaves it.
    public func forwardTunnel(
        mode: TunnelMode = .pointToPoint, localUnit: TunnelUnit = .any, remoteUnit: TunnelUnit = .any
    ) async throws -> TunnelForwarding {
        let device = try TunnelDevice.open(mode: mode, unit: localUnit)
        let channel: SSHChannel
        do {
            channel = try await openTunnel(mode: mode, remoteUnit: remoteUnit)
        } catch {
            device.close()
            throw error
        }
        let tunnel = TunnelForwarding(device: device, channel: channel)
        forwarding.keep(tunnel)
        logger.debug("Tunnel forwarding using interface \(device.name) to remote unit \(remoteUnit)")
        return tunnel
    }
}

/// A running tunnel forwarding (ssh -w): this host's device, the channel to the server's, and the
/// task carrying packets between them (OpenSSH PROTOCOL §2.3).
public final class TunnelForwarding: Sendable {
    /// This host's end: its interface name is ``TunnelDevice/name``.
    public let device: TunnelDevice
    /// The `tun@openssh.com` channel.
    public let channel: SSHChannel
    private let task: Task<Void, any Error>

    init(device: TunnelDevice, channel: SSHChannel) {
        self.device = device
        self.channel = channel
        task = Task { try await channel.carry(tunnel: device) }
    }

    /// Waits until the tunnel ends: the server closed the channel, the device failed (thrown), or
    /// ``close()`` was called. The device is closed by then.
    public func finished() async throws {
        defer { device.close() }
        try await task.value
    }

    /// Ends the tunnel: closes the channel and the device.
    public func close() async {
        try? await channel.close()
        _ = try? await task.value
        device.close()
    }
}
