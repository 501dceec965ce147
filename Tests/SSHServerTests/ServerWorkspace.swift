import Foundation
import NIOConcurrencyHelpers
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHServer
import SSHTestSupport
import SSHWire

/// A delegate that lets the test user in with a key, a password, or keyboard-interactive asked
/// for the password in one round, and grants everything.
struct GrantingDelegate: SSHServerDelegate {
    var user = "tester"
    var key: SSHPublicKey
    var password = "secret"
    var workingDirectory: String?
    var allowForwarding = true
    /// A USERAUTH_BANNER sent before authentication (RFC 4252 §5.4), when set.
    var banner: String?

    func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
        switch request {
        case .publicKey(let user, let key, _, let signed, _) where user == self.user && key == self.key:
            signed ? .success : .publicKeyAcceptable
        case .password(let user, let password, _) where user == self.user && password == self.password:
            .success
        case .keyboardInteractive(let user, _) where user == self.user:
            .prompt(
                KeyboardInteractiveChallenge(name: "", instruction: "", prompts: [.init(prompt: "Password: ", echo: false)]))
        case .keyboardInteractiveResponses(let user, let responses) where user == self.user && responses == [password]:
            .success
        default:
            .failure
        }
    }

    func banner(for user: String) async -> String? { banner }

    func allowsSessionRequest(_ request: ChannelRequestType, session: SessionContext) async -> Bool {
        if case .authAgent = request { return allowForwarding }
        return true
    }

    func exec(_ command: String, session: SessionContext) async -> SessionAction {
        .runProcess(LocalProcessOptions(workingDirectory: workingDirectory, environment: ["HOME": NSTemporaryDirectory()]))
    }

    func shell(session: SessionContext) async -> SessionAction {
        .runProcess(LocalProcessOptions(workingDirectory: workingDirectory, environment: ["HOME": NSTemporaryDirectory()]))
    }

    func allowsDirectTCPIP(host: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool { allowForwarding }
    func allowsRemoteForward(address: String, port: Int, connection: SSHServerConnectionInfo) async -> Bool {
        allowForwarding
    }
}

/// A server on a free port with a client key on disk, and the `ssh` command line to reach it.
struct ServerWorkspace: Sendable {
    let server: SSHServer
    let directory: URL
    let keyPath: String
    let hostKey: SSHPrivateKey

    /// Starts a server with a host key of each of `hostKeyTypes` (``hostKey`` is the first).
    static func start(
        configuration: SSHServerConfiguration = SSHServerConfiguration(),
        hostKeyTypes: [SSHKeyType] = [.ed25519],
        delegate: (@Sendable (SSHPublicKey) -> GrantingDelegate)? = nil
    ) async throws -> ServerWorkspace {
        let directory = try Peers.temporaryDirectory("paramiko-server")
        let clientKey = try SSHPrivateKey.generate(.ed25519)
        let keyPath = directory.appendingPathComponent("id_ed25519").path
        try clientKey.write(to: keyPath)
        let hostKeys = try hostKeyTypes.map { try SSHPrivateKey.generate($0, bits: $0 == .rsa ? 2048 : nil) }
        let chosen = delegate?(clientKey.publicKey) ?? GrantingDelegate(key: clientKey.publicKey)
        let server = try await SSHServer.listen(
            host: "127.0.0.1", port: 0, hostKeys: hostKeys, delegate: chosen, configuration: configuration)
        return ServerWorkspace(server: server, directory: directory, keyPath: keyPath, hostKey: hostKeys[0])
    }

    /// `ssh` with our key, no config files and no host key checks, plus `options`.
    func ssh(_ options: [String] = [], _ command: String? = nil) -> [String] {
        [
            Peers.executable("ssh") ?? "ssh", "-F", "/dev/null", "-p", "\(server.port)", "-i", keyPath, "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "LogLevel=ERROR",
        ] + options + ["tester@127.0.0.1"] + (command.map { [$0] } ?? [])
    }

    func stop() async {
        await server.shutdown(gracePeriod: .seconds(2))
        try? FileManager.default.removeItem(at: directory)
    }
}
