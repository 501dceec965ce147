import Foundation
import NIOCore
import SSHAuth
import SSHCrypto
import SSHTestSupport
import SSHTransport
import SSHWire
import Testing

/// Our client authenticator against OpenSSH's sshd: every key type, certificates, password,
/// keyboard-interactive through PAM, multi-factor AuthenticationMethods, banners, and refusals.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"))
struct AuthInteropTests {
    static let user = NSUserName()

    static func authenticate(
        _ server: OpenSSHServer, user: String = user, credentials: [AuthCredential],
        configure: (inout UserAuthClient) -> Void = { _ in }
    ) async throws -> UserAuthResult {
        var client = UserAuthClient(userName: user)
        configure(&client)
        let authenticator = client
        return try await TransportConnection.withConnection(
            host: "127.0.0.1", port: server.port, hostKeyPolicy: .acceptAny
        ) { connection in
            try await authenticator.authenticate(over: connection, credentials: credentials)
        }
    }

    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa])
    func publicKeyOfEveryType(_ type: SSHKeyType) async throws {
        let key = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let server = try await OpenSSHServer.start(configuration: ["LogLevel DEBUG2"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let result = try await Self.authenticate(server, credentials: [.publicKey(key)])
        #expect(result.method == "publickey")
        #expect(result.acceptedKeys == [key.publicKey])
        if type == .rsa {
            #expect(await server.logEventually(contains: "authenticated 1 pkalg rsa-sha2-512"), "\(server.log)")
        }
    }

    /// sshd 9.2 lists rsa-sha2 in server-sig-algs even when it accepts only ssh-rsa, so, as with
    /// OpenSSH's PubkeyAcceptedAlgorithms, the client is told to sign with ssh-rsa.
    @Test func rsaWithSSHRSAWhereEnabled() async throws {
        let key = try SSHPrivateKey.generate(.rsa, bits: 2048)
        let server = try await OpenSSHServer.start(configuration: ["PubkeyAcceptedAlgorithms ssh-rsa", "LogLevel DEBUG2"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let result = try await Self.authenticate(server, credentials: [.publicKey(key)]) {
            $0.publicKeyAlgorithms = ["ssh-rsa"]
        }
        #expect(result.method == "publickey")
        #expect(await server.logEventually(contains: "authenticated 1 pkalg ssh-rsa"), "\(server.log)")
    }

    @Test func dsaWhereEnabled() async throws {
        let key = try SSHPrivateKey.generate(.dsa)
        let server = try await OpenSSHServer.start(configuration: ["PubkeyAcceptedAlgorithms +ssh-dss"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        #expect(try await Self.authenticate(server, credentials: [.publicKey(key)]).method == "publickey")
    }

    /// A key sshd does not know is skipped after its query; the next credential logs in.
    @Test func unauthorizedKeyThenAuthorizedKey() async throws {
        let stranger = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ecdsaP256)
        let server = try await OpenSSHServer.start()
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let result = try await Self.authenticate(server, credentials: [.publicKey(stranger), .publicKey(key)])
        #expect(result.acceptedKeys == [key.publicKey])
        await #expect {
            _ = try await Self.authenticate(server, credentials: [.publicKey(stranger)])
        } throws: { error in
            (error as? AuthError)?.code == .exhausted && (error as? AuthError)?.allowedMethods.contains("publickey") == true
        }
    }

    @Test func userCertificateFromATrustedCA() async throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ecdsaP384)
        let directory = try Peers.temporaryDirectory("user-ca")
        defer { try? FileManager.default.removeItem(at: directory) }
        let caFile = directory.appendingPathComponent("ca.pub")
        try (authority.publicKey.openSSHLine + "\n").write(to: caFile, atomically: true, encoding: .utf8)
        let server = try await OpenSSHServer.start(configuration: ["TrustedUserCAKeys \(caFile.path)"])
        defer { server.stop() }
        let certificate = try authority.certify(
            key.publicKey, SSHCertificateRequest(kind: .user, keyID: "tester", principals: [Self.user]))
        let signer = try CertifiedSigner(signer: key, certificate: certificate)
        let result = try await Self.authenticate(server, credentials: [.publicKey(signer)])
        #expect(result.acceptedKeys == [certificate])

        let elsewhere = try authority.certify(
            key.publicKey, SSHCertificateRequest(kind: .user, keyID: "other", principals: ["somebody-else"]))
        await #expect(throws: AuthError.self) {
            _ = try await Self.authenticate(server, credentials: [.publicKey(try CertifiedSigner(signer: key, certificate: elsewhere))])
        }
    }

    /// A key held by OpenSSH's ssh-agent signs our login to sshd.
    @Test(.enabled(if: Peers.available("ssh-agent"), "ssh-agent is not installed"))
    func keyHeldInOpenSSHAgent() async throws {
        let sshAgent = try #require(Peers.executable("ssh-agent"))
        let sshAdd = try #require(Peers.executable("ssh-add"))
        let directory = try Peers.temporaryDirectory("openssh-agent")
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("agent.sock").path
        let pid = try PeerSpawn.spawn(
            [sshAgent, "-D", "-a", socket], output: .file(directory.appendingPathComponent("agent.log").path))
        defer { PeerSpawn.stop(pid) }
        for _ in 0..<250 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
        let key = try SSHPrivateKey.generate(.rsa, bits: 2048)
        let keyFile = directory.appendingPathComponent("id").path
        try key.write(to: keyFile)
        let added = try await Peers.runDetached([sshAdd, keyFile], environment: ["SSH_AUTH_SOCK": socket])
        #expect(added.status == 0, "\(added.output)")
        let server = try await OpenSSHServer.start(configuration: ["LogLevel DEBUG2"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let signers = try await SSHAgentClient(socketPath: socket).signers()
        let result = try await Self.authenticate(server, credentials: signers.map { .publicKey($0) })
        #expect(result.acceptedKeys == [key.publicKey])
        #expect(await server.logEventually(contains: "authenticated 1 pkalg rsa-sha2-512"), "\(server.log)")
    }

    @Test func bannerArrives() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let directory = try Peers.temporaryDirectory("banner")
        defer { try? FileManager.default.removeItem(at: directory) }
        let banner = directory.appendingPathComponent("banner")
        try "Authorised use only.\n".write(to: banner, atomically: true, encoding: .utf8)
        let server = try await OpenSSHServer.start(configuration: ["Banner \(banner.path)"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let seen = BannerBox()
        _ = try await Self.authenticate(server, credentials: [.publicKey(key)]) { client in
            client.bannerHandler = { seen.append($0) }
        }
        #expect(seen.texts == ["Authorised use only.\n"])
    }

    /// AuthenticationMethods publickey,publickey: two different keys, the first a partial success.
    @Test func twoKeysRequired() async throws {
        let first = try SSHPrivateKey.generate(.ed25519)
        let second = try SSHPrivateKey.generate(.rsa, bits: 2048)
        let server = try await OpenSSHServer.start(configuration: ["AuthenticationMethods publickey,publickey"])
        defer { server.stop() }
        try server.authorize([first.publicKey.openSSHLine, second.publicKey.openSSHLine])
        let result = try await Self.authenticate(server, credentials: [.publicKey(first), .publicKey(second)])
        #expect(result.methods == ["publickey", "publickey"])
        #expect(result.acceptedKeys == [first.publicKey, second.publicKey])
    }

    @Test(.enabled(if: TestUser.available, "needs root to make a user with a password"))
    func passwordRightAndWrong() async throws {
        let server = try await OpenSSHServer.start()
        defer { server.stop() }
        let result = try await Self.authenticate(server, user: TestUser.name, credentials: [.password(TestUser.password)])
        #expect(result.method == "password")
        await #expect {
            _ = try await Self.authenticate(server, user: TestUser.name, credentials: [.password("wrong")])
        } throws: { ($0 as? AuthError)?.code == .exhausted }
    }

    /// AuthenticationMethods publickey,password: a key, then the password.
    @Test(.enabled(if: TestUser.available, "needs root to make a user with a password"))
    func publicKeyThenPassword() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let server = try await OpenSSHServer.start(configuration: ["AuthenticationMethods publickey,password"])
        defer { server.stop() }
        try server.authorize([key.publicKey.openSSHLine])
        let result = try await Self.authenticate(
            server, user: TestUser.name, credentials: [.password(TestUser.password), .publicKey(key)])
        #expect(result.methods == ["publickey", "password"])
    }

    /// On Linux sshd offers keyboard-interactive only through PAM.
    @Test(.enabled(if: TestUser.available, "needs root to make a user with a password"))
    func keyboardInteractiveThroughPAM() async throws {
        let server = try await OpenSSHServer.start(configuration: [
            "UsePAM yes", "KbdInteractiveAuthentication yes", "PasswordAuthentication no",
        ])
        defer { server.stop() }
        let prompts = BannerBox()
        let result = try await Self.authenticate(
            server, user: TestUser.name,
            credentials: [
                .keyboardInteractive { challenge in
                    for prompt in challenge.prompts { prompts.append(prompt.prompt) }
                    return challenge.prompts.map { _ in TestUser.password }
                }
            ])
        #expect(result.method == "keyboard-interactive")
        #expect(prompts.texts.contains { $0.lowercased().contains("password") })
    }
}

/// Our client authenticator against Python paramiko's server, with password and keys.
@Suite(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"))
struct ParamikoServerAuthTests {
    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP256, .rsa])
    func passwordAndKey(_ type: SSHKeyType) async throws {
        let key = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let server = try PythonPeer.startServer(
            PythonPeer.serverScript, [Base64Line.of(key.publicKey)], scratch: "paramiko-auth")
        defer { server.stop() }
        func login(_ credentials: [AuthCredential]) async throws -> UserAuthResult {
            try await TransportConnection.withConnection(
                host: "127.0.0.1", port: server.port, hostKeyPolicy: .acceptAny
            ) { connection in
                try await UserAuthClient(userName: "tester").authenticate(over: connection, credentials: credentials)
            }
        }
        #expect(try await login([.publicKey(key)]).acceptedKeys == [key.publicKey])
        #expect(try await login([.password("wrong"), .password("secret")]).method == "password")
        await #expect(throws: AuthError.self) { _ = try await login([.password("wrong")]) }
    }
}

/// The base64 field of a public key line.
enum Base64Line {
    static func of(_ key: SSHPublicKey) -> String {
        String(key.openSSHLine.split(separator: " ")[1])
    }
}

/// Texts gathered from callbacks.
final class BannerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ text: String) { lock.withLock { stored.append(text) } }
    var texts: [String] { lock.withLock { stored } }
}

/// Host-based authentication (RFC 4252 §9) against sshd: the client host's key in the user's
/// known_hosts, the host and user in the user's `.shosts`.
@Suite(.enabled(if: Peers.available("sshd") && getuid() == 0 && Peers.available("useradd"), "needs sshd and root"), .serialized)
struct HostBasedInteropTests {
    static let user = "paramikohb"
    static let home = "/var/tmp/paramikohb"

    /// The account, with a home whose `.shosts` and known_hosts trust `clientHost` with `key`.
    static func prepare(clientHost: String, key: SSHPublicKey) throws {
        if getpwnam(user) == nil {
            _ = try Peers.run([Peers.executable("useradd") ?? "useradd", "-M", "-d", home, "-s", "/bin/sh", user])
        }
        guard let account = getpwnam(user) else { throw PeerError("could not create \(user)") }
        // No password, but not locked ("!"), which sshd would take for an invalid user.
        _ = try Peers.run([Peers.executable("usermod") ?? "usermod", "-p", "*", user])
        try FileManager.default.createDirectory(atPath: home + "/.ssh", withIntermediateDirectories: true)
        try "\(clientHost) \(user)\n".write(toFile: home + "/.shosts", atomically: true, encoding: .utf8)
        try "\(clientHost) \(key.openSSHLine)\n".write(toFile: home + "/.ssh/known_hosts", atomically: true, encoding: .utf8)
        for path in [home, home + "/.ssh", home + "/.shosts", home + "/.ssh/known_hosts"] {
            chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
        chmod(home, 0o755)
    }

    @Test func acceptedWithTheTrustedHostKeyRefusedWithAnother() async throws {
        let hostKey = try SSHPrivateKey.generate(.ed25519)
        try Self.prepare(clientHost: "builder.example", key: hostKey.publicKey)
        let server = try await OpenSSHServer.start(configuration: [
            "HostbasedAuthentication yes", "HostbasedUsesNameFromPacketOnly yes", "IgnoreRhosts no",
            "IgnoreUserKnownHosts no", "LogLevel DEBUG2",
        ])
        defer { server.stop() }
        let result: UserAuthResult
        do {
            result = try await AuthInteropTests.authenticate(
                server, user: Self.user,
                credentials: [.hostBased(hostKey, clientHostName: "builder.example", clientUserName: Self.user)])
        } catch {
            Issue.record("\(error): \(server.log)")
            return
        }
        #expect(result.method == "hostbased")
        let stranger = try SSHPrivateKey.generate(.ed25519)
        await #expect(throws: AuthError.self) {
            _ = try await AuthInteropTests.authenticate(
                server, user: Self.user,
                credentials: [.hostBased(stranger, clientHostName: "builder.example", clientUserName: Self.user)])
        }
    }
}
