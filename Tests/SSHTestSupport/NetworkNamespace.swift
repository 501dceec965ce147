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
