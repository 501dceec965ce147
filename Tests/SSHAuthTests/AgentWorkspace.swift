import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A temporary directory for agent tests: OpenSSH's `ssh-agent` started in it on demand, key files made
/// by `ssh-keygen`, and `ssh-add`/`ssh-keygen` run with `SSH_AUTH_SOCK` set. Every agent it started is
/// killed by its pid and the directory removed when the workspace goes away.
final class AgentWorkspace: @unchecked Sendable {
    let directory: URL
    let keygen: String
    let sshAdd: String
    let sshAgent: String
    private let lock = NSLock()
    private var agents: [pid_t] = []

    /// A workspace, or nil when OpenSSH's tools are missing (a recorded failure under `CI=true`).
    static func make() throws -> AgentWorkspace? {
        guard let keygen = Peers.executable("ssh-keygen"), let sshAdd = Peers.executable("ssh-add"),
            let sshAgent = Peers.executable("ssh-agent")
        else {
            if Peers.required { Issue.record("ssh-keygen, ssh-add and ssh-agent are required under CI=true") }
            return nil
        }
        // Unix socket paths are short (108 bytes): keep the directory name short too.
        let directory = URL(fileURLWithPath: "/tmp").appendingPathComponent("pa-\(UUID().uuidString.prefix(13))")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return AgentWorkspace(directory: directory, keygen: keygen, sshAdd: sshAdd, sshAgent: sshAgent)
    }

    private init(directory: URL, keygen: String, sshAdd: String, sshAgent: String) {
        self.directory = directory
        self.keygen = keygen
        self.sshAdd = sshAdd
        self.sshAgent = sshAgent
    }

    deinit {
        for pid in agents { PeerSpawn.stop(pid) }
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Starts `ssh-agent -D -a socket` with `environment` over ours and waits until it answers; returns
    /// the socket's path.
    func startOpenSSHAgent(named name: String = "openssh.sock", environment: [String: String] = [:]) async throws
        -> String
    {
        let socket = path(name)
        let pid = try PeerSpawn.spawn(
            [sshAgent, "-D", "-a", socket], output: .file(path(name + ".log")), environment: environment)
        lock.withLock { agents.append(pid) }
        let client = try SSHAgentClient(socketPath: socket)
        for _ in 0..<250 {
            if (try? await client.identities()) != nil { return socket }
            guard PeerSpawn.isRunning(pid) else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PeerError(
            "ssh-agent did not start: \((try? String(contentsOfFile: path(name + ".log"), encoding: .utf8)) ?? "")")
    }

    /// Runs `ssh-add` against the agent at `socket`.
    @discardableResult
    func sshAdd(_ arguments: [String], socket: String, environment: [String: String] = [:]) async throws
        -> (status: Int32, output: String)
    {
        var environment = environment
        environment["SSH_AUTH_SOCK"] = socket
        return try await Self.run([sshAdd] + arguments, environment: environment)
    }

    /// Runs `ssh-keygen`, with `SSH_AUTH_SOCK` when `socket` is given.
    @discardableResult
    func keygen(_ arguments: [String], socket: String? = nil, input: Data? = nil) async throws
        -> (status: Int32, output: String)
    {
        try await Self.run(
            [keygen] + arguments, input: input, environment: socket.map { ["SSH_AUTH_SOCK": $0] } ?? [:])
    }

    /// ``Peers/runDetached(_:input:timeout:environment:)``: a peer talking to our agent needs
    /// Swift's cooperative threads free to answer it.
    static func run(
        _ arguments: [String], input: Data? = nil, environment: [String: String]
    ) async throws -> (status: Int32, output: String) {
        try await Peers.runDetached(arguments, input: input, environment: environment)
    }

    /// Makes the key pair `name`/`name.pub` with ssh-keygen, commented `name`, and returns the public key.
    func makeKeyFile(_ name: String, _ type: AgentKeyType) async throws -> SSHPublicKey {
        let result = try await keygen(["-q", "-N", "", "-C", name, "-f", path(name)] + type.keygenArguments)
        guard result.status == 0 else { throw PeerError("ssh-keygen \(type): \(result.output)") }
        return try SSHPublicKey(path: path(name) + ".pub")
    }

    /// An executable askpass script that prints `answer` and exits with `status`.
    func askpass(printing answer: String, status: Int = 0, named name: String = "askpass") throws -> String {
        let script = path(name)
        try "#!/bin/sh\necho '\(answer)'\nexit \(status)\n".write(toFile: script, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script)
        return script
    }

    /// The environment that makes OpenSSH's tools take a passphrase or a confirmation from `askpass`.
    static func askpassEnvironment(_ askpass: String) -> [String: String] {
        ["SSH_ASKPASS": askpass, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
    }
}

/// The key types the agent tests cover, as ssh-keygen and as this library name them.
enum AgentKeyType: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case ed25519, ecdsa256, ecdsa384, ecdsa521, rsa, dsa

    var keygenArguments: [String] {
        switch self {
        case .ed25519: ["-t", "ed25519"]
        case .ecdsa256: ["-t", "ecdsa", "-b", "256"]
        case .ecdsa384: ["-t", "ecdsa", "-b", "384"]
        case .ecdsa521: ["-t", "ecdsa", "-b", "521"]
        case .rsa: ["-t", "rsa", "-b", "2048"]
        case .dsa: ["-t", "dsa"]
        }
    }

    var type: SSHKeyType {
        switch self {
        case .ed25519: .ed25519
        case .ecdsa256: .ecdsaP256
        case .ecdsa384: .ecdsaP384
        case .ecdsa521: .ecdsaP521
        case .rsa: .rsa
        case .dsa: .dsa
        }
    }

    /// A new key of this type; RSA at 2,048 bits to keep the tests quick.
    func generate(comment: String) throws -> SSHPrivateKey {
        var key = try SSHPrivateKey.generate(type, bits: self == .rsa ? 2048 : nil)
        key.comment = comment
        return key
    }

    var testDescription: String { rawValue }
}

/// A clock that moves only when told, for key lifetimes.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = ContinuousClock.now

    var now: ContinuousClock.Instant { lock.withLock { current } }

    func advance(by duration: Duration) { lock.withLock { current += duration } }
}

/// The two agents the interop tests run against: OpenSSH's and ours.
enum AgentKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case openSSH = "ssh-agent"
    case paramiko = "SSHAgentServer"

    var testDescription: String { rawValue }
}

/// An agent started for one test, with our client pointed at it.
struct RunningAgent: Sendable {
    let socket: String
    let client: SSHAgentClient
    /// Ours, when it is ours.
    let server: SSHAgentServer?

    func stop() async { await server?.close() }
}

extension AgentWorkspace {
    /// Starts an agent of `kind` that allows uses of keys added with the confirm constraint when
    /// `confirming`, and denies them otherwise (OpenSSH's through an askpass script).
    func start(_ kind: AgentKind, confirming: Bool = false) async throws -> RunningAgent {
        switch kind {
        case .openSSH:
            let askpass = try askpass(printing: confirming ? "yes" : "no", status: confirming ? 0 : 1, named: "confirm")
            let socket = try await startOpenSSHAgent(environment: Self.askpassEnvironment(askpass))
            return RunningAgent(socket: socket, client: try SSHAgentClient(socketPath: socket), server: nil)
        case .paramiko:
            let keyring = AgentKeyring(confirm: { _ in confirming })
            let server = try await SSHAgentServer.listen(path: path("ours.sock"), keyring: keyring)
            return RunningAgent(
                socket: server.path, client: try SSHAgentClient(socketPath: server.path), server: server)
        }
    }
}

extension AgentWorkspace {
    /// Runs `body` with a new workspace and an agent of `kind` (see ``start(_:confirming:)``), stopping the
    /// agent however `body` ends; does nothing when OpenSSH's tools are missing.
    static func withAgent(
        _ kind: AgentKind, confirming: Bool = false,
        _ body: (AgentWorkspace, RunningAgent) async throws -> Void
    ) async throws {
        guard let workspace = try make() else { return }
        let agent = try await workspace.start(kind, confirming: confirming)
        do {
            try await body(workspace, agent)
        } catch {
            await agent.stop()
            throw error
        }
        await agent.stop()
    }
}
