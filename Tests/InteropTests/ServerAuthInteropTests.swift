import Foundation
import NIOConcurrencyHelpers
import SSHAuth
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// OpenSSH's `ssh` and Python paramiko logging in to our server's authentication.
@Suite(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"))
struct ServerAuthInteropTests {
    static let hostKey = try! SSHPrivateKey.generate(.ed25519)

    /// A directory with an askpass script printing `secret`, and ssh's environment for it.
    static func askpass(_ directory: URL, answer: String) throws -> [String: String] {
        let script = directory.appendingPathComponent("askpass").path
        try "#!/bin/sh\necho '\(answer)'\n".write(toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        return ["SSH_ASKPASS": script, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"]
    }

    static func ssh(port: Int, user: String, _ options: [String], environment: [String: String] = [:]) async throws
        -> String
    {
        let ssh = try #require(Peers.executable("ssh"))
        // ssh keeps the first value of an option: the test's own come first.
        return try await Peers.runDetached(
            [ssh, "-vv", "-F", "/dev/null", "-p", "\(port)"] + options + [
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentityAgent=none",
                "-o", "ConnectTimeout=10", "-N", "\(user)@127.0.0.1",
            ], timeout: 30, environment: environment
        ).output
    }

    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP521, .rsa])
    func publicKey(_ type: SSHKeyType) async throws {
        let key = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let directory = try Peers.temporaryDirectory("ssh-key")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("id").path
        try key.write(to: keyFile)
        let server = try await AuthTestServer(
            hostKeys: [Self.hostKey], delegate: TestAuthDelegate(authorizedKeys: ["alice": [key.publicKey]], banner: "hello\n"))
        defer { server.stop() }
        let log = try await Self.ssh(
            port: server.port, user: "alice",
            ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "PreferredAuthentications=publickey", "-o", "BatchMode=yes"])
        #expect(log.contains("Authenticated to 127.0.0.1"), "\(log)")
        #expect(log.contains("hello"), "\(log)")
        let identity = try #require(await server.recordedIdentities().first)
        #expect(identity.user == "alice")
        #expect(identity.verifiedKeys.map(\.key) == [key.publicKey])
        if type == .rsa { #expect(identity.verifiedKeys.first?.algorithm == "rsa-sha2-512") }
    }

    @Test func passwordWrongThenRight() async throws {
        let directory = try Peers.temporaryDirectory("ssh-password")
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try await AuthTestServer(hostKeys: [Self.hostKey], delegate: TestAuthDelegate(passwords: ["bob": "secret"]))
        defer { server.stop() }
        let refused = try await Self.ssh(
            port: server.port, user: "bob",
            ["-o", "PreferredAuthentications=password", "-o", "NumberOfPasswordPrompts=2"],
            environment: try Self.askpass(directory, answer: "wrong"))
        #expect(refused.contains("Permission denied"), "\(refused)")
        let accepted = try await Self.ssh(
            port: server.port, user: "bob", ["-o", "PreferredAuthentications=password"],
            environment: try Self.askpass(directory, answer: "secret"))
        #expect(accepted.contains("Authenticated to 127.0.0.1"), "\(accepted)")
        #expect(await server.recordedIdentities().map(\.methods) == [["password"]])
    }

    @Test func keyboardInteractiveTwoRounds() async throws {
        let directory = try Peers.temporaryDirectory("ssh-kbdint")
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("askpass").path
        // The code prompt gets the code, the password prompt the password.
        try "#!/bin/sh\ncase \"$1\" in *code*) echo 123456;; *) echo secret;; esac\n".write(
            toFile: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script)
        let server = try await AuthTestServer(hostKeys: [Self.hostKey], delegate: TestAuthDelegate(passwords: ["carol": "secret"]))
        defer { server.stop() }
        let log = try await Self.ssh(
            port: server.port, user: "carol", ["-o", "PreferredAuthentications=keyboard-interactive"],
            environment: ["SSH_ASKPASS": script, "SSH_ASKPASS_REQUIRE": "force", "DISPLAY": ":0"])
        #expect(log.contains("Authenticated to 127.0.0.1"), "\(log)")
    }

    /// AuthenticationMethods publickey,password: ssh offers the key, hears partial success, then types the password.
    @Test func publicKeyThenPassword() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let directory = try Peers.temporaryDirectory("ssh-2fa")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("id").path
        try key.write(to: keyFile)
        var configuration = ServerAuthConfiguration()
        configuration.authenticationMethods = [["publickey", "password"]]
        let server = try await AuthTestServer(
            hostKeys: [Self.hostKey], configuration: configuration,
            delegate: TestAuthDelegate(passwords: ["dave": "secret"], authorizedKeys: ["dave": [key.publicKey]]))
        defer { server.stop() }
        let log = try await Self.ssh(
            port: server.port, user: "dave", ["-i", keyFile, "-o", "IdentitiesOnly=yes"],
            environment: try Self.askpass(directory, answer: "secret"))
        #expect(log.contains("Authenticated using \"publickey\" with partial success"), "\(log)")
        #expect(log.contains("Authenticated to 127.0.0.1"), "\(log)")
        #expect(await server.recordedIdentities().map(\.methods) == [["publickey", "password"]])
    }

    @Test func userCertificateFromATrustedCA() async throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ecdsaP256)
        let directory = try Peers.temporaryDirectory("ssh-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("id").path
        try key.write(to: keyFile)
        let certificate = try authority.certify(key.publicKey, SSHCertificateRequest(kind: .user, keyID: "erin", principals: ["erin"]))
        try (certificate.openSSHLine + "\n").write(toFile: keyFile + "-cert.pub", atomically: true, encoding: .utf8)
        var configuration = ServerAuthConfiguration()
        configuration.trustedUserCAKeys = [authority.publicKey]
        let server = try await AuthTestServer(hostKeys: [Self.hostKey], configuration: configuration, delegate: TestAuthDelegate())
        defer { server.stop() }
        let log = try await Self.ssh(
            port: server.port, user: "erin", ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"])
        #expect(log.contains("Authenticated to 127.0.0.1"), "\(log)")
        #expect(await server.recordedIdentities().first?.verifiedKeys.first?.key == certificate)
        // The same certificate for another user is refused.
        let other = try await Self.ssh(
            port: server.port, user: "mallory", ["-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"])
        #expect(other.contains("Permission denied"), "\(other)")
    }

    /// ssh logs in with a key our agent server holds.
    @Test func keyHeldByOurAgent() async throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let directory = try Peers.temporaryDirectory("our-agent")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyring = AgentKeyring()
        await keyring.add(key, comment: "agent key")
        let agent = try await SSHAgentServer.listen(path: directory.appendingPathComponent("agent.sock").path, keyring: keyring)
        let server = try await AuthTestServer(
            hostKeys: [Self.hostKey], delegate: TestAuthDelegate(authorizedKeys: ["ivy": [key.publicKey]]))
        defer { server.stop() }
        let log = try await Self.ssh(
            port: server.port, user: "ivy",
            ["-o", "IdentityAgent=\(agent.path)", "-o", "BatchMode=yes", "-o", "PreferredAuthentications=publickey"])
        await agent.close()
        #expect(log.contains("Authenticated to 127.0.0.1"), "\(log)")
        #expect(log.contains("agent key"), "\(log)")
    }

    /// Host-based login (RFC 4252 §9) between our client and our server; a key the server does
    /// not know for that host is refused.
    @Test func hostBased() async throws {
        let hostKey = try SSHPrivateKey.generate(.ecdsaP256)
        var configuration = ServerAuthConfiguration()
        configuration.methods = ["hostbased"]
        let server = try await AuthTestServer(
            hostKeys: [Self.hostKey], configuration: configuration,
            delegate: TestAuthDelegate(knownClientHosts: ["builder.example": hostKey.publicKey]))
        defer { server.stop() }
        func login(_ key: SSHPrivateKey) async throws -> UserAuthResult {
            try await TransportConnection.withConnection(host: "127.0.0.1", port: server.port, hostKeyPolicy: .acceptAny) {
                try await UserAuthClient(userName: "ci").authenticate(
                    over: $0, credentials: [.hostBased(key, clientHostName: "builder.example", clientUserName: "ci")])
            }
        }
        #expect(try await login(hostKey).method == "hostbased")
        #expect(await server.recordedIdentities().first?.verifiedKeys.first?.key == hostKey.publicKey)
        await #expect(throws: AuthError.self) { _ = try await login(try SSHPrivateKey.generate(.ecdsaP256)) }
    }

    /// A seventh failure ends the connection, as sshd's MaxAuthTries does.
    @Test func attemptsAreLimited() async throws {
        let server = try await AuthTestServer(hostKeys: [Self.hostKey], delegate: TestAuthDelegate())
        defer { server.stop() }
        let keys = try (0..<8).map { _ in try SSHPrivateKey.generate(.ed25519) }
        let credentials = keys.map { AuthCredential.publicKey($0) }
        let outcome = try await TransportConnection.withConnection(
            host: "127.0.0.1", port: server.port, hostKeyPolicy: .acceptAny
        ) { connection -> String in
            do {
                _ = try await UserAuthClient(userName: "frank").authenticate(over: connection, credentials: credentials)
                return "logged in"
            } catch {
                return "\(error)"
            }
        }
        #expect(outcome.contains("peerDisconnected") || outcome.contains("closed"), "\(outcome)")
        #expect(server.failures.withLockedValue { $0 }.contains { $0.contains("too many") })
    }
}

/// Python paramiko's client against our authentication server.
@Suite(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"))
struct ParamikoClientAuthTests {
    @Test func passwordAndKey() async throws {
        let python = try #require(PythonPeer.python)
        let key = try SSHPrivateKey.generate(.ed25519)
        let directory = try Peers.temporaryDirectory("paramiko-client-auth")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("id").path
        try key.write(to: keyFile)
        let server = try await AuthTestServer(
            hostKeys: [ServerAuthInteropTests.hostKey],
            delegate: TestAuthDelegate(passwords: ["gina": "secret"], authorizedKeys: ["gina": [key.publicKey]]))
        defer { server.stop() }
        let script = """
            import sys, socket, paramiko
            port, keyfile = int(sys.argv[1]), sys.argv[2]
            for attempt in ("key", "password", "wrong"):
                t = paramiko.Transport(socket.create_connection(("127.0.0.1", port)))
                t.start_client(timeout=20)
                try:
                    if attempt == "key":
                        t.auth_publickey("gina", paramiko.Ed25519Key.from_private_key_file(keyfile))
                    else:
                        t.auth_password("gina", "secret" if attempt == "password" else "nope")
                    print(attempt, "OK")
                except paramiko.AuthenticationException:
                    print(attempt, "REFUSED")
                t.close()
            """
        let result = try await Peers.runDetached([python, "-c", script, "\(server.port)", keyFile])
        #expect(result.output.contains("key OK"), "\(result.output)")
        #expect(result.output.contains("password OK"), "\(result.output)")
        #expect(result.output.contains("wrong REFUSED"), "\(result.output)")
    }
}
