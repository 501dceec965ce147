import Foundation
import SSHTestSupport
import SSHWire
import Testing

/// OpenSSH's `ssh -w` against `paramiko serve --permit-tunnel` (`tun@openssh.com`, OpenSSH
/// PROTOCOL §2.3). The server runs in a network namespace of its own, reached through a
/// ProxyCommand, so its device is there and ssh's is here, and traffic between the two
/// addresses crosses the tunnel.
@Suite(
    .enabled(if: Peers.available("ssh") && NetworkNamespace.available, "needs ssh, root, /dev/net/tun and ip netns"),
    .serialized)
struct TunnelServerTests {
    @Test(arguments: [TunnelMode.pointToPoint, .ethernet])
    func opensshClientAgainstServe(mode: TunnelMode) async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let served = try await ServeCommandTests.serve(
            extra: { _ in ["--permit-tunnel", mode.description] }, launcher: { namespace.command($0) })
        defer {
            kill(served.pid, SIGKILL)
            try? FileManager.default.removeItem(at: served.directory)
        }
        let other: TunnelMode = mode == .pointToPoint ? .ethernet : .pointToPoint
        let relay = "ProxyCommand=\(namespace.relay(toPort: served.port))"
        let named = served.directory.appendingPathComponent("interface").path
        let release = served.directory.appendingPathComponent("release").path
        let (device, address, local) =
            mode == .pointToPoint
            ? ("tun0", "10.231.79.2 peer 10.231.79.1", ["10.231.79.1", "peer", "10.231.79.2"])
            : ("tap0", "10.231.79.2/24", ["10.231.79.1/24"])
        let remote =
            "ip addr add \(address) dev \(device) && ip -6 addr add fd5e:79::2/64 dev \(device) nodad"
            + " && ip link set \(device) up && while [ ! -e \(release) ]; do sleep 0.1; done; exit 4"
        let command = served.ssh(
            [
                "-o", relay, "-o", "Tunnel=\(mode.description)", "-o", "TunnelDevice=any:any", "-o",
                "ExitOnForwardFailure=yes", "-o", "PermitLocalCommand=yes", "-o", "LocalCommand=echo %T > \(named)",
            ], remote)
        let session = Task { try await Peers.runDetached(command, timeout: 60) }

        let interface = try await namespace.awaitTunnel(named: named, device: device, address: "10.231.79.2")
        try await namespace.proveTraffic(
            interface: interface, local: local, local6: "fd5e:79::1", remote: "10.231.79.2", remote6: "fd5e:79::2",
            port: 7779)

        // ssh stays after the command while the tunnel is open. The server's device going away
        // ends the tunnel: the server closes the channel, and ssh exits with the command's status.
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        try await Task.sleep(for: .milliseconds(300))
        let ip = try #require(Peers.executable("ip"))
        #expect(try Peers.run(namespace.command([ip, "link", "show", device])).status == 0)
        try NetworkNamespace.host(namespace.command([ip, "link", "delete", device]))
        let ended = try await session.value
        #expect(ended.status == 4, "\(ended.output)")

        // The mode --permit-tunnel leaves out is refused; with ExitOnForwardFailure ssh gives up.
        let refused = try await Peers.runDetached(
            served.ssh(["-o", relay, "-o", "Tunnel=\(other.description)", "-o", "ExitOnForwardFailure=yes"], "true"))
        #expect(refused.status == 255, "\(refused.output)")
        #expect(refused.output.contains("Tunnel forwarding failed"), "\(refused.output)")
    }
}
