import Foundation
import SSHClient
import SSHConnection
import SSHTestSupport
import SSHWire
import Testing

/// Tunnel forwarding (`tun@openssh.com`, OpenSSH PROTOCOL §2.3, ssh -w) from our client to
/// OpenSSH's sshd: sshd runs in a network namespace of its own (in inetd mode, as a ProxyCommand),
/// so its tun or tap device is there and ours is here, and traffic between the two addresses
/// crosses the tunnel.
@Suite(
    .enabled(if: Peers.available("sshd") && NetworkNamespace.available, "needs sshd, root, /dev/net/tun and ip netns"),
    .serialized)
struct TunnelInteropTests {
    /// sshd in inetd mode inside `namespace`, with sshd's configuration of `setup` (PermitTunnel yes).
    static func proxyCommand(_ setup: SSHClientTests.Setup, _ namespace: NetworkNamespace) throws -> String {
        let sshd = try #require(Peers.executable("sshd"))
        let directory = setup.server.directory.path
        return namespace.shellLine([sshd, "-i", "-f", directory + "/sshd_config", "-E", directory + "/inetd.log"])
    }

    @Test(arguments: [TunnelMode.pointToPoint, .ethernet])
    func libraryClientAgainstSSHD(mode: TunnelMode) async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let setup = try await SSHClientTests.setUp(["LogLevel DEBUG1", "PermitTunnel yes"])
        defer { setup.server.stop() }
        var configuration = SSHClientConfiguration()
        configuration.proxyCommand = try Self.proxyCommand(setup, namespace)
        let client = try await setup.connect(configuration: configuration)
        let tunnel = try await client.forwardTunnel(mode: mode)
        let remote = mode == .pointToPoint ? "tun0" : "tap0"
        #expect(tunnel.device.name.hasPrefix(mode == .pointToPoint ? "tun" : "tap"), "\(tunnel.device.name)")

        // Addresses on both ends: sshd's end is configured by a command that runs in its namespace.
        let address = mode == .pointToPoint ? "10.231.77.2 peer 10.231.77.1" : "10.231.77.2/24"
        let configured = try await client.run(
            "ip addr add \(address) dev \(remote) && ip -6 addr add fd5e:77::2/64 dev \(remote) nodad"
                + " && ip link set \(remote) up")
        #expect(configured.exitStatus == 0, "\(configured.errorOutput)")
        let local = mode == .pointToPoint ? ["10.231.77.1", "peer", "10.231.77.2"] : ["10.231.77.1/24"]
        try await namespace.proveTraffic(
            interface: tunnel.device.name, local: local, local6: "fd5e:77::1", remote: "10.231.77.2", remote6: "fd5e:77::2",
            port: 7777)

        // Closing the forwarding removes our device and closes the channel.
        await tunnel.close()
        let ip = try #require(Peers.executable("ip"))
        #expect(try Peers.run([ip, "link", "show", tunnel.device.name]).status != 0)
        #expect(await client.runtime.openChannels(named: "tun@openssh.com") == 0)
        await client.close()
    }

    @Test func refusedWithoutPermitTunnel() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "PermitTunnel ethernet"])
        defer { setup.server.stop() }
        var configuration = SSHClientConfiguration()
        configuration.proxyCommand = try Self.proxyCommand(setup, namespace)
        let client = try await setup.connect(configuration: configuration)
        await #expect(throws: SSHClientError.self) { _ = try await client.forwardTunnel(mode: .pointToPoint) }
        // The device opened for it is closed again, and the connection goes on.
        #expect(try await client.run("echo on").output == "on\n")
        await client.close()
    }

    /// `paramiko ssh -w` as `ssh -w`: the tunnel is up before LocalCommand, whose `%T` names our end,
    /// and the exit status is the remote command's.
    @Test func paramikoSSHWithW() async throws {
        let namespace = try NetworkNamespace.create()
        defer { namespace.remove() }
        let setup = try await SSHClientTests.setUp(["LogLevel ERROR", "PermitTunnel yes"])
        defer { setup.server.stop() }
        let named = setup.directory.appendingPathComponent("interface").path
        let release = setup.directory.appendingPathComponent("release").path
        let remote =
            "ip addr add 10.231.78.2 peer 10.231.78.1 dev tun0 && ip -6 addr add fd5e:78::2/64 dev tun0 nodad"
            + " && ip link set tun0 up && while [ ! -e \(release) ]; do sleep 0.1; done; exit 3"
        let arguments =
            [try Peers.paramiko(), "ssh", "-w", "any:any"]
            + setup.loginFlags([
                "ProxyCommand=\(try Self.proxyCommand(setup, namespace))", "PermitLocalCommand=yes",
                "LocalCommand=echo %T > \(named)", "ExitOnForwardFailure=yes",
            ]) + [remote]
        let session = Task { try await Peers.runDetached(arguments, timeout: 60) }
        let interface = try await namespace.awaitTunnel(named: named, device: "tun0", address: "10.231.78.2")
        #expect(interface.hasPrefix("tun"), "\(interface)")
        try await namespace.proveTraffic(
            interface: interface, local: ["10.231.78.1", "peer", "10.231.78.2"], local6: "fd5e:78::1", remote: "10.231.78.2",
            remote6: "fd5e:78::2", port: 7778)
        // The command's end leaves the tunnel up, as ssh leaves it; our device going away ends the
        // tunnel, and then the process, with the command's status.
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        try await Task.sleep(for: .milliseconds(300))
        let ip = try #require(Peers.executable("ip"))
        #expect(try Peers.run([ip, "link", "show", interface]).status == 0)
        try NetworkNamespace.host([ip, "link", "delete", interface])
        let ended = try await session.value
        #expect(ended.status == 3, "\(ended.output)")
        // A device name is refused as ssh refuses it: -w takes numbers or any.
        let bad = try await Peers.runDetached([try Peers.paramiko(), "ssh", "-w", "tun0", "127.0.0.1", "true"])
        #expect(bad.status == 255 && bad.output.contains("Bad tun device 'tun0'"), "\(bad.output)")
    }
}
