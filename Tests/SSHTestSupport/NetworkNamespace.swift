import Foundation

/// A Linux network namespace of a test's own (`ip netns`): the far end of a tunnel forwarding
/// lives there, so packets between the two ends cross the tunnel instead of the host's own
/// loopback. Peers inside are reached through a ProxyCommand, so tests still connect to nothing
/// but 127.0.0.1.
public struct NetworkNamespace: Sendable {
    /// The namespace's name.
    public let name: String
    private let ip: String

    /// Whether this machine lets tests make namespaces and tun devices: root, `/dev/net/tun`, and
    /// an `ip netns add` that works (a container may refuse it).
    public static let available: Bool = {
        guard geteuid() == 0, FileManager.default.fileExists(atPath: "/dev/net/tun"), let ip = Peers.executable("ip"),
            Peers.available("ping")
        else { return false }
        let probe = "paramiko-probe-\(getpid())"
        guard (try? Peers.run([ip, "netns", "add", probe]))?.status == 0 else { return false }
        _ = try? Peers.run([ip, "netns", "delete", probe])
        return true
    }()

    /// Makes a namespace with its loopback interface up.
    public static func create() throws -> NetworkNamespace {
        guard let ip = Peers.executable("ip") else { throw PeerError("ip (iproute2) is not installed") }
        let name = "paramiko-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let added = try Peers.run([ip, "netns", "add", name])
        guard added.status == 0 else { throw PeerError("ip netns add: \(added.output)") }
        let namespace = NetworkNamespace(name: name, ip: ip)
        _ = try Peers.run(namespace.command([ip, "link", "set", "lo", "up"]))
        return namespace
    }

    private init(name: String, ip: String) {
        self.name = name
        self.ip = ip
    }

    /// `arguments` run inside the namespace.
    public func command(_ arguments: [String]) -> [String] { [ip, "netns", "exec", name] + arguments }

    /// ``command(_:)`` as one shell line, for a ProxyCommand.
    public func shellLine(_ arguments: [String]) -> String {
        command(arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
    }

    /// A ProxyCommand that carries standard input and output to 127.0.0.1:`port` inside the namespace.
    public func relay(toPort port: Int) -> String {
        shellLine([Peers.executable("python3") ?? "python3", "-c", Self.relayScript, String(port)])
    }

    /// Runs `arguments` here, such as `ip` on this side's end of a tunnel; throws unless it exits 0.
    @discardableResult
    public static func host(_ arguments: [String]) throws -> String {
        let result = try Peers.run(arguments)
        guard result.status == 0 else { throw PeerError("\(arguments.joined(separator: " ")): \(result.output)") }
        return result.output
    }

    /// Waits until a tunnel is up at both ends: the file `named` (where a LocalCommand wrote `%T`)
    /// names this host's interface, and `device` in the namespace has `address`. Returns the
    /// interface's name.
    public func awaitTunnel(named: String, device: String, address: String) async throws -> String {
        for _ in 0..<300 {
            let interface = ((try? String(contentsOfFile: named, encoding: .utf8)) ?? "")
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let remote = try Peers.run(command([ip, "addr", "show", device])).output
            if !interface.isEmpty && remote.contains(address) { return interface }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PeerError("the tunnel did not come up: no interface named in \(named), or \(device) lacks \(address)")
    }

    /// Gives this host's end of a tunnel, `interface`, its addresses (`local`: the IPv4 address as
    /// `ip addr add` takes it, then `local6`, an IPv6 /64) and brings it up; then proves the tunnel
    /// carries traffic to the far end's `remote` and `remote6` addresses inside the namespace:
    /// pings over both, and megabytes through an echo server started there on `remote`:`port`,
    /// byte-exact. Throws with what failed.
    public func proveTraffic(
        interface: String, local: [String], local6: String, remote: String, remote6: String, port: Int
    ) async throws {
        try Self.host([ip, "addr", "add"] + local + ["dev", interface])
        try Self.host([ip, "-6", "addr", "add", local6 + "/64", "dev", interface, "nodad"])
        try Self.host([ip, "link", "set", interface, "up"])
        guard let ping = Peers.executable("ping"), let python = Peers.executable("python3") else {
            throw PeerError("ping or python3 is missing")
        }
        for (flags, address) in [(["-4"], remote), (["-6"], remote6)] {
            let reply = try await Peers.runDetached([ping] + flags + ["-c", "3", "-W", "5", address])
            guard reply.status == 0 else { throw PeerError("ping \(address) across \(interface): \(reply.output)") }
        }
        let echo = try PeerSpawn.spawn(command([python, "-c", Self.echoScript, remote, String(port)]))
        defer { PeerSpawn.stop(echo) }
        var ready = false
        for _ in 0..<100 where !ready {
            ready = (try? await EchoServer.exchange(host: remote, port: port, "ready")) == "ready"
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else { throw PeerError("no echo from \(remote):\(port) across \(interface)") }
        var generator = SeededRandom(seed: UInt64(port))
        let text = String((0..<(3 << 20)).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &generator))) })
        let echoed = try await EchoServer.exchange(host: remote, port: port, text)
        guard echoed == text else {
            throw PeerError("\(echoed.utf8.count) of \(text.utf8.count) bytes came back across \(interface), or changed")
        }
    }

    /// Deletes the namespace, and with it the devices still in it.
    public func remove() {
        _ = try? Peers.run([ip, "netns", "delete", name])
    }

    /// Standard input and output to a TCP port, both ways, each half-closed at its end.
    static let relayScript = """
        import os, socket, sys, threading
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
        def up():
            while True:
                data = os.read(0, 65536)
                if not data:
                    s.shutdown(socket.SHUT_WR)
                    return
                s.sendall(data)
        threading.Thread(target=up, daemon=True).start()
        while True:
            data = s.recv(65536)
            if not data:
                break
            os.write(1, data)
        """

    /// A TCP echo server on `argv[1]`:`argv[2]` that serves one connection at a time.
    public static let echoScript = """
        import socket, sys
        server = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((sys.argv[1], int(sys.argv[2])))
        server.listen(4)
        while True:
            connection, _ = server.accept()
            while True:
                data = connection.recv(65536)
                if not data:
                    break
                connection.sendall(data)
            connection.close()
        """
}
