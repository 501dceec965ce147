import SSHClient
import SSHConfig
import SSHConnection

/// The port forwardings of a `paramiko ssh` session: those of the command line and ssh_config
/// (-L, -R, -D) set up at the start, and those the `~C` command line adds or cancels
/// (`-L`, `-R`, `-D`, `-KL`, `-KR`, `-KD`), as ssh's `process_cmdline` does.
actor Forwardings {
    private let client: SSHClient
    /// GatewayPorts: a local forwarding named by port alone listens on every address.
    private let gatewayPorts: Bool
    /// Local and dynamic listeners, with the forwarding each serves.
    private var listeners: [(forward: SSHForwarding, close: @Sendable () -> Void)] = []
    /// Remote forwardings, with the port the server bound for each.
    private var remotes: [(forward: SSHForwarding, bound: Int)] = []

    /// Whether notices at ssh's INFO level ("Allocated port …") are shown: not under `-q` or a
    /// LogLevel of ERROR or less, as ssh's `logit` has it.
    private let informs: Bool

    init(client: SSHClient, gatewayPorts: Bool = false, informs: Bool = true) {
        self.client = client
        self.gatewayPorts = gatewayPorts
        self.informs = informs
    }

    /// The local interface of the tunnel forwarding (`Tunnel`, -w) once it is up: `%T` of LocalCommand.
    private(set) var tunnelInterface: String?

    /// Stays while the tunnel forwarding's channel is open, as ssh stays while any channel is: a
    /// session's end leaves the tunnel up (`ssh -f -w 0:0 host true` is how a tunnel is kept).
    /// Returns once the server closes it, or at `ending`.
    func waitForTunnel(unless ending: Ending) async {
        guard tunnelInterface != nil else { return }
        while !ending.isEnded, await client.runtime.openChannels(named: "tun@openssh.com") > 0 {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Sets up the forwardings `settings` name. One that fails is warned about on standard error,
    /// as ssh does, or with ExitOnForwardFailure ends it all: this throws.
    func start(_ settings: SSHClientSettings) async throws {
        if let tunnel = settings.tunnel {
            do {
                let forwarding = try await client.forwardTunnel(
                    mode: tunnel.mode, localUnit: tunnel.localUnit, remoteUnit: tunnel.remoteUnit)
                tunnelInterface = forwarding.device.name
            } catch let error as ConnectionError {
                // This host's device could not be opened: ssh's words for it.
                if settings.exitOnForwardFailure { throw SSHClientError(.refused, "Could not request tunnel forwarding.") }
                warn("Could not request tunnel forwarding. (\(error.detail))")
            } catch {
                if settings.exitOnForwardFailure { throw SSHClientError(.refused, "Tunnel forwarding failed") }
                warn("Tunnel forwarding failed")
            }
        }
        for forward in settings.localForwards + settings.dynamicForwards {
            do {
                try await addLocal(forward)
            } catch {
                if settings.exitOnForwardFailure { throw error }
                warn("Could not request local forwarding (\(Self.listening(forward))): \(error)")
            }
        }
        for forward in settings.remoteForwards {
            do {
                try await addRemote(forward)
            } catch {
                if settings.exitOnForwardFailure { throw error }
                warn("Warning: remote port forwarding failed for listen port \(Self.listening(forward))")
            }
        }
    }

    /// Where a forwarding listens: its path or its port.
    private static func listening(_ forward: SSHForwarding) -> String {
        forward.listenPath ?? String(forward.listenPort)
    }

    private func warn(_ message: String) {
        var standardError = StandardError()
        print(message, to: &standardError)
    }

    private func addLocal(_ forward: SSHForwarding) async throws {
        let listen: ForwardingListener.Address =
            forward.listenPath.map { .unix(path: $0) }
            ?? .tcp(host: forward.listenHost ?? (gatewayPorts ? "0.0.0.0" : "127.0.0.1"), port: forward.listenPort)
        if forward.isDynamic {
            let listener = try await client.forwardDynamic(listen: listen)
            listeners.append((forward, { listener.close() }))
        } else if let path = forward.connectPath {
            let listener = try await client.forwardLocal(listen: listen, toSocket: path)
            listeners.append((forward, { listener.close() }))
        } else {
            let listener = try await client.forwardLocal(
                listen: listen, to: forward.connectHost ?? "localhost", port: forward.connectPort)
            listeners.append((forward, { listener.close() }))
        }
    }

    private func addRemote(_ forward: SSHForwarding) async throws {
        let target: ForwardingListener.Address =
            forward.connectPath.map { .unix(path: $0) }
            ?? .tcp(host: forward.connectHost ?? "localhost", port: forward.connectPort)
        if let path = forward.listenPath {
            try await client.forwardRemote(socketPath: path, to: target)
            remotes.append((forward, 0))
            return
        }
        let bound = try await client.forwardRemote(
            address: forward.listenHost ?? "localhost", port: forward.listenPort, to: target)
        remotes.append((forward, bound))
        if forward.listenPort == 0 && informs {
            var standardError = StandardError()
            print(
                "Allocated port \(bound) for remote forward to \(forward.connectHost ?? ""):\(forward.connectPort)",
                to: &standardError)
        }
    }

    /// Sets up one more forwarding for a client of the control socket (PROTOCOL.mux §6) and returns
    /// the port the server bound for a remote one (0 for a local or dynamic one). One already set up
    /// is not set up again, as ssh's master answers a repeated request.
    func open(_ forward: SSHForwarding, remote: Bool) async throws -> Int {
        if remote {
            if let existing = remotes.first(where: { $0.forward == forward }) { return existing.bound }
            try await addRemote(forward)
            return remotes.last?.bound ?? 0
        }
        if listeners.contains(where: { $0.forward == forward }) { return 0 }
        try await addLocal(forward)
        return 0
    }

    /// Runs a line typed at `~C`'s `ssh>` prompt; returns the lines to show.
    func run(commandLine line: String) async -> [String] {
        var rest = Substring(line).drop { $0 == " " || $0 == "\t" }
        if rest.first == "-" { rest = rest.dropFirst() }
        guard let first = rest.first else { return [] }
        if "hH?".contains(first) { return Self.help }
        let cancel = first == "K"
        if cancel { rest = rest.dropFirst() }
        guard let kind = rest.first, "LRD".contains(kind) else { return ["Invalid command."] }
        let spec = String(rest.dropFirst().drop { $0 == " " || $0 == "\t" })
        if cancel {
            // As ssh does: one or two fields, [bind_address:]port or a socket path.
            guard let forward = SSHForwarding.parse(spec, dynamic: true, remote: false) else {
                return ["Bad forwarding close specification."]
            }
            let found = kind == "R" ? await cancelRemote(forward) : cancelLocal(forward, dynamic: kind == "D")
            return [found ? "Canceled forwarding." : "Unknown port forwarding."]
        }
        guard let forward = SSHForwarding.parse(spec, dynamic: kind == "D", remote: kind == "R") else {
            return [kind == "R" ? "Bad remote forwarding specification." : "Bad local forwarding specification."]
        }
        do {
            if kind == "R" { try await addRemote(forward) } else { try await addLocal(forward) }
        } catch {
            return ["Port forwarding failed."]
        }
        return ["Forwarding port."]
    }

    /// Closes the local or dynamic listener on the forwarding's address; false when there is none.
    func cancelLocal(_ wanted: SSHForwarding, dynamic: Bool) -> Bool {
        guard
            let index = listeners.firstIndex(where: {
                $0.forward.isDynamic == dynamic && $0.forward.listenPort == wanted.listenPort
                    && $0.forward.listenPath == wanted.listenPath && $0.forward.listenHost == wanted.listenHost
            })
        else { return false }
        listeners.remove(at: index).close()
        return true
    }

    /// Asks the server to stop a remote forwarding named by its listening address; false when we
    /// asked for none there or the server refuses.
    func cancelRemote(_ wanted: SSHForwarding) async -> Bool {
        guard
            let index = remotes.firstIndex(where: {
                $0.forward.listenPath == wanted.listenPath && $0.forward.listenHost == wanted.listenHost
                    && ($0.forward.listenPort == wanted.listenPort || $0.bound == wanted.listenPort)
            })
        else { return false }
        let (forward, bound) = remotes.remove(at: index)
        do {
            if let path = forward.listenPath {
                try await client.cancelRemoteForward(socketPath: path)
            } else {
                try await client.cancelRemoteForward(address: forward.listenHost ?? "localhost", port: bound)
            }
            return true
        } catch {
            return false
        }
    }

    static let help = [
        "Commands:",
        "      -L[bind_address:]port:host:hostport    Request local forward",
        "      -R[bind_address:]port:host:hostport    Request remote forward",
        "      -D[bind_address:]port                  Request dynamic forward",
        "      -KL[bind_address:]port                 Cancel local forward",
        "      -KR[bind_address:]port                 Cancel remote forward",
        "      -KD[bind_address:]port                 Cancel dynamic forward",
    ]
}
