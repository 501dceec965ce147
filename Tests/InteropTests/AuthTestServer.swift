import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHAuth
import SSHCrypto
import SSHTransport
import SSHWire

/// A server that runs the transport and then user authentication with a delegate; once a user
/// has logged in it records who and disconnects, so a client's progress shows in its output.
final class AuthTestServer: Sendable {
    let port: Int
    let identities = NIOLockedValueBox<[AuthenticatedIdentity]>([])
    let failures = NIOLockedValueBox<[String]>([])
    private let task: Task<Void, Never>
    private let listenerChannel: any Channel

    init(
        hostKeys: [any TransportHostKey], configuration: ServerAuthConfiguration = ServerAuthConfiguration(),
        transport: TransportConfiguration = TransportConfiguration(role: .server), delegate: some ServerAuthDelegate
    ) async throws {
        var transport = transport
        transport.hostKeys = hostKeys
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try TransportChannel.install(on: child, configuration: transport)
                }
            }
        port = listener.channel.localAddress?.port ?? 0
        listenerChannel = listener.channel
        let identities = self.identities
        let failures = self.failures
        task = Task {
            try? await listener.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask {
                                do {
                                    try await TransportConnection.withEstablished(connection, role: .server) { session in
                                        do {
                                            let identity = try await UserAuthServer(configuration: configuration)
                                                .run(over: session, delegate: delegate)
                                            identities.withLockedValue { $0.append(identity) }
                                            // A moment for the client to take in the success before the
                                            // goodbye (paramiko checks the link before the result).
                                            try? await Task.sleep(for: .milliseconds(300))
                                            try await session.disconnect(.byApplication, "authenticated as \(identity.user)")
                                        } catch let error as AuthError {
                                            failures.withLockedValue { $0.append(error.description) }
                                            try await session.disconnect(.noMoreAuthMethodsAvailable, error.detail)
                                        }
                                    }
                                } catch {
                                    failures.withLockedValue { $0.append("\(error)") }
                                }
                            }
                        }
                    } catch {}
                }
            }
        }
    }

    /// The identities recorded so far, once there is at least one (or after five seconds): the
    /// server records a login just after it sends SUCCESS, so a client may be done before that.
    func recordedIdentities() async -> [AuthenticatedIdentity] {
        let deadline = ContinuousClock.now + .seconds(5)
        while identities.withLockedValue({ $0.isEmpty }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return identities.withLockedValue { $0 }
    }

    /// Stops listening. Connections already accepted run to their end: a NIOAsyncChannel dropped
    /// unserved would trap.
    func stop() { listenerChannel.close(promise: nil) }
}

/// A delegate with fixed accounts: passwords, authorized keys, CA-trusted certificates, and
/// keyboard-interactive asking for the password in two rounds (a code round first).
struct TestAuthDelegate: ServerAuthDelegate {
    var passwords: [String: String] = [:]
    var authorizedKeys: [String: [SSHPublicKey]] = [:]
    var banner: String?
    /// Client hosts whose keys are trusted for host-based login: name → key.
    var knownClientHosts: [String: SSHPublicKey] = [:]

    func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
        switch request {
        case .password(let user, let password, _):
            return passwords[user] == password ? .success : .failure
        case .publicKey(let user, let key, _, let signed, let certificateTrusted):
            let known = certificateTrusted || (authorizedKeys[user] ?? []).contains(key)
            guard known else { return .failure }
            return signed ? .success : .publicKeyAcceptable
        case .keyboardInteractive:
            return .prompt(.init(name: "", instruction: "", prompts: [.init(prompt: "Verification code: ", echo: true)]))
        case .keyboardInteractiveResponses(let user, let responses):
            if responses == ["123456"] {
                return .prompt(.init(name: "", instruction: "", prompts: [.init(prompt: "Password: ", echo: false)]))
            }
            return passwords[user].map { [$0] } == responses ? .success : .failure
        case .hostBased(_, let key, let host, _):
            return knownClientHosts[host] == key ? .success : .failure
        default:
            return .failure
        }
    }

    func banner(for user: String) async -> String? { banner }
}
