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

        let ip = try #require(Peers.executable("ip"))
        var interface = ""
        var remoteUp = false
        for _ in 0..<300 where interface.isEmpty || !remoteUp {
            interface = ((try? String(contentsOfFile: named, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            remoteUp = (try Peers.run(namespace.command([ip, "addr", "show", device]))).output.contains("10.231.79.2")
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!interface.isEmpty && remoteUp, "\(served.log)")
        try NetworkNamespace.host([ip, "addr", "add"] + local + ["dev", interface])
        try NetworkNamespace.host([ip, "-6", "addr", "add", "fd5e:79::1/64", "dev", interface, "nodad"])
        try NetworkNamespace.host([ip, "link", "set", interface, "up"])
        let ping = try #require(Peers.executable("ping"))
        let four = try await Peers.runDetached([ping, "-c", "3", "-W", "5", "10.231.79.2"])
        #expect(four.status == 0, "\(four.output)")
        let six = try await Peers.runDetached([ping, "-6", "-c", "3", "-W", "5", "fd5e:79::2"])
        #expect(six.status == 0, "\(six.output)")

        // TCP across the tunnel, byte-exact.
        let python = try #require(Peers.executable("python3"))
        let echo = try PeerSpawn.spawn(namespace.command([python, "-c", NetworkNamespace.echoScript, "10.231.79.2", "7779"]))
        defer { PeerSpawn.stop(echo) }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await EchoServer.exchange(host: "10.231.79.2", port: 7779, "ready")) == "ready"
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready)
        var generator = SeededRandom(seed: 12)
        let text = String((0..<(2 << 20)).map { _ in Character(UnicodeScalar(UInt8.random(in: 65...90, using: &generator))) })
        #expect(try await EchoServer.exchange(host: "10.231.79.2", port: 7779, text) == text)

        // ssh stays after the command while the tunnel is open. The server's device going away
        // ends the tunnel: the server closes the channel, and ssh exits with the command's status.
        _ = FileManager.default.createFile(atPath: release, contents: nil)
        try await Task.sleep(for: .milliseconds(300))
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
