import Foundation
import SSHAuth
import SSHClient
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// `gssapi-with-mic` (RFC 4462 §3) with a Kerberos realm of the tests' own: our client against
/// OpenSSH's sshd, `paramiko ssh -K` beside `ssh -K`, and OpenSSH's ssh and our client against
/// our server.
@Suite(
    .serialized,
    .enabled(if: KerberosRealm.available && Peers.available("sshd"), "the Kerberos KDC or sshd is not installed"))
struct GSSAPIInteropTests {
    static let hostKey = try! SSHPrivateKey.generate(.ed25519)

    static func sshd() async throws -> OpenSSHServer {
        try await OpenSSHServer.start(
            hostKeyTypes: ["ed25519"],
            configuration: [
                "GSSAPIAuthentication yes", "GSSAPIKeyExchange yes", "GSSAPIStrictAcceptorCheck no",
                "GSSAPICleanupCredentials yes",
                "PubkeyAuthentication no", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            ])
    }

    static func strategy(delegating: Bool = false) -> AuthStrategy {
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.gssapi = GSSAPICredential(serverHost: "127.0.0.1", delegatesCredentials: delegating)
        return strategy
    }

    /// Runs `body` with the process's ticket cache set to `cache`, then puts the realm's back.
    static func withTicketCache<T>(_ cache: String, _ realm: KerberosRealm, _ body: () async throws -> T) async rethrows -> T {
        setenv("KRB5CCNAME", cache, 1)
        defer { setenv("KRB5CCNAME", realm.ticketCache, 1) }
        return try await body()
    }

    @Test func ourClientLogsInToSshdAndDelegates() async throws {
        let realm = try await KerberosRealm.start()
        let sshd = try await Self.sshd()
        defer { sshd.stop() }

        let delegating = try await SSHClient.connect(
            host: "127.0.0.1", port: sshd.port, username: realm.user, authentication: Self.strategy(delegating: true),
            hostKeyPolicy: .acceptAnythingInsecurely)
        #expect(delegating.authenticationMethods == ["gssapi-with-mic"])
        // The delegated ticket is in the session's cache on the server.
        let listed = try await delegating.run("klist")
        #expect(listed.exitStatus == 0, "\(listed.errorOutput)")
        #expect(listed.output.contains("Default principal: \(realm.user)@\(KerberosRealm.name)"), "\(listed.output)")
        #expect(listed.output.contains("krbtgt/\(KerberosRealm.name)@\(KerberosRealm.name)"))
        await delegating.close()
        #expect(await sshd.logEventually(contains: "Accepted gssapi-with-mic for \(realm.user)"), "\(sshd.log)")

        let plain = try await SSHClient.connect(
            host: "127.0.0.1", port: sshd.port, username: realm.user, authentication: Self.strategy(),
            hostKeyPolicy: .acceptAnythingInsecurely)
        let none = try await plain.run("klist -s; echo $?")
        #expect(none.output == "1\n", "without delegation the server holds no ticket")
        await plain.close()

        // Without a ticket the method is passed over and nothing else is left.
        _ = await Self.withTicketCache(realm.withoutTicket["KRB5CCNAME"]!, realm) {
            await #expect(throws: SSHClientError.self) {
                _ = try await SSHClient.connect(
                    host: "127.0.0.1", port: sshd.port, username: realm.user, authentication: Self.strategy(),
                    hostKeyPolicy: .acceptAnythingInsecurely)
            }
        }
    }

    @Test func paramikoSSHMatchesSshWithKerberos() async throws {
        let realm = try await KerberosRealm.start()
        let sshd = try await Self.sshd()
        defer { sshd.stop() }
        let paramiko = try Peers.paramiko()
        let ssh = try #require(Peers.executable("ssh"))
        func run(_ tool: [String], _ flags: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
            let result = try await Peers.runDetached(
                tool + [
                    "-F", "/dev/null", "-p", "\(sshd.port)", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                ] + flags + ["\(realm.user)@127.0.0.1", "klist 2>&1 | grep -c krbtgt/"], timeout: 30,
                environment: environment)
            // sshd's LogLevel DEBUG1 lines come on the session's standard error: the count is the last line.
            // Split on bytes: "\r\n" is one Character.
            let lines = result.output.utf8.split(separator: UInt8(ascii: "\n")).map {
                String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return (result.status, lines.last(where: { !$0.isEmpty }) ?? "")
        }
        for flags in [["-K"], ["-o", "GSSAPIAuthentication=yes"], ["-K", "-k"]] {
            let ours = try await run([paramiko, "ssh"], flags)
            let theirs = try await run([ssh], flags)
            #expect(ours == theirs, "\(flags)")
            #expect(ours.0 == (flags == ["-K"] ? 0 : 1), "\(flags): \(ours.1)")
        }
        let ours = try await run([paramiko, "ssh"], ["-K"], environment: realm.withoutTicket)
        let theirs = try await run([ssh], ["-K"], environment: realm.withoutTicket)
        #expect(ours.0 == 255 && theirs.0 == 255, "\(ours) \(theirs)")
        #expect(ours.1 == theirs.1 && ours.1.hasPrefix("\(realm.user)@127.0.0.1: Permission denied ("), "\(ours.1)")
    }

    /// Credentials of `gssapi-keyex` alone.
    static var keyExchangeStrategy: AuthStrategy {
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.gssapiKeyExchange = true
        return strategy
    }

    /// Our server offering the GSS-API key exchange methods with the realm's keytab, and `methods`.
    static func gssKeyExchangeServer(_ realm: KerberosRealm, hostKeys: [SSHPrivateKey], methods: [String]) async throws
        -> AuthTestServer
    {
        var configuration = ServerAuthConfiguration()
        configuration.methods = methods
        configuration.gssapiKeytab = realm.serverKeytab
        var transport = TransportConfiguration(role: .server)
        transport.gssKeyExchange = GSSKeyExchange(makeAcceptor: {
            try GSSSecurityContext(acceptorWithKeytab: realm.serverKeytab)
        })
        transport.algorithms.keyExchange = KeyExchangeMethod.gssDefaults.map(\.name) + transport.algorithms.keyExchange
        return try await AuthTestServer(
            hostKeys: hostKeys, configuration: configuration, transport: transport, delegate: KerberosDelegate())
    }

    /// A client configuration offering GSS-API key exchange method `base` only, before the usual ones.
    static func keyExchange(_ base: String) throws -> SSHClientConfiguration {
        var configuration = SSHClientConfiguration()
        let method = try #require(KeyExchangeMethod.gss(base))
        configuration.transport.algorithms.keyExchange = [method.name] + configuration.transport.algorithms.keyExchange
        configuration.transport.gssKeyExchange = GSSKeyExchange(makeContext: { try GSSSecurityContext(initiatorFor: "host@127.0.0.1") })
        return configuration
    }

    @Test(arguments: KeyExchangeMethod.gssBaseNames.filter { $0 != "gss-group1-sha1-" })
    func gssKeyExchangeWithSshd(_ base: String) async throws {
        let realm = try await KerberosRealm.start()
        let sshd = try await Self.sshd()
        defer { sshd.stop() }
        let directory = try Peers.temporaryDirectory("gss-kex")
        defer { try? FileManager.default.removeItem(at: directory) }
        let strategy = Self.keyExchangeStrategy
        // No known_hosts entry and a rejecting policy: the Kerberos context alone authenticates sshd.
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: sshd.port, username: realm.user, authentication: strategy,
            hostKeyPolicy: .knownHosts([directory.appendingPathComponent("known_hosts").path], unknown: .reject),
            configuration: try Self.keyExchange(base))
        #expect(client.negotiated.keyExchange.name.hasPrefix(base))
        #expect(client.negotiated.keyExchange.name.hasSuffix("toWM5Slw5Ew8Mqkay+al2g=="))
        #expect(client.authenticationMethods == ["gssapi-keyex"])
        #expect(try await client.run("echo one").output == "one\n")
        // A rekey makes a new context and the session goes on.
        try await client.rekey()
        #expect(try await client.run("echo two").output == "two\n")
        await client.close()
        #expect(await sshd.logEventually(contains: "Accepted gssapi-keyex for \(realm.user)"), "\(sshd.log)")
    }

    @Test func gssKeyExchangeIsNotOfferedWithoutATicket() async throws {
        let realm = try await KerberosRealm.start()
        let sshd = try await Self.sshd()
        defer { sshd.stop() }
        let strategy = Self.keyExchangeStrategy
        try await Self.withTicketCache(realm.withoutTicket["KRB5CCNAME"]!, realm) {
            do {
                _ = try await SSHClient.connect(
                    host: "127.0.0.1", port: sshd.port, username: realm.user, authentication: strategy,
                    hostKeyPolicy: .acceptAnythingInsecurely, configuration: try Self.keyExchange("gss-curve25519-sha256-"))
                Issue.record("logged in without a ticket")
            } catch let error as SSHClientError {
                // The key exchange was an ordinary one; then nothing could log in.
                #expect(error.code == .authenticationFailed, "\(error)")
            }
        }
        let ssh = try #require(Peers.executable("ssh"))
        let paramiko = try Peers.paramiko()
        var outputs: [String] = []
        for tool in [[ssh], [paramiko, "ssh"]] {
            let result = try await Peers.runDetached(
                tool + [
                    "-F", "/dev/null", "-p", "\(sshd.port)", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                    "-o", "UserKnownHostsFile=/dev/null", "-o", "GSSAPIKeyExchange=yes", "-o", "LogLevel=ERROR",
                    "\(realm.user)@127.0.0.1", "echo gss-kex",
                ], timeout: 30)
            #expect(result.status == 0, "\(tool): \(result.output)")
            outputs.append(String(result.output.utf8.split(separator: UInt8(ascii: "\n")).last.map { String(decoding: $0, as: UTF8.self) } ?? ""))
        }
        // With a ticket, ssh and paramiko ssh both log in with GSSAPIKeyExchange and no known host key.
        #expect(outputs == ["gss-kex", "gss-kex"])
    }

    /// GSSAPIClientIdentity picks a principal's ticket from a cache collection whose primary is
    /// another's, for `paramiko ssh` as for `ssh`.
    @Test func clientIdentityChoosesTheTicket() async throws {
        let realm = try await KerberosRealm.start()
        let sshd = try await Self.sshd()
        defer { sshd.stop() }
        let collection = try realm.collectionWithBothTickets()
        let paramiko = try Peers.paramiko()
        let ssh = try #require(Peers.executable("ssh"))
        for identity in [nil, "\(realm.user)@\(KerberosRealm.name)"] {
            var statuses: [Int32] = []
            for tool in [[paramiko, "ssh"], [ssh]] {
                let result = try await Peers.runDetached(
                    tool + [
                        "-F", "/dev/null", "-p", "\(sshd.port)", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-o", "GSSAPIAuthentication=yes",
                    ] + (identity.map { ["-o", "GSSAPIClientIdentity=\($0)"] } ?? []) + ["\(realm.user)@127.0.0.1", "true"],
                    timeout: 30, environment: ["KRB5CCNAME": collection])
                statuses.append(result.status)
            }
            // The stranger, the collection's primary, may not log in as the user; the user's own ticket may.
            #expect(statuses == (identity == nil ? [255, 255] : [0, 0]), "\(identity ?? "default"): \(statuses)")
        }
    }

    struct KerberosDelegate: ServerAuthDelegate {
        func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
            switch request {
            case .gssapi(let user, let principal), .gssapiKeyExchange(let user, let principal):
                KerberosLogin.allows(principal: principal, user: user) ? .success : .failure
            default:
                .failure
            }
        }
    }

    @Test func ourServerOffersGSSKeyExchange() async throws {
        let realm = try await KerberosRealm.start()
        let server = try await Self.gssKeyExchangeServer(
            realm, hostKeys: [Self.hostKey], methods: ["gssapi-keyex", "gssapi-with-mic"])
        defer { server.stop() }
        var logins = 0
        for base in KeyExchangeMethod.gssBaseNames where base != "gss-group1-sha1-" {
            let method = try #require(KeyExchangeMethod.gss(base))
            let log = try await ServerAuthInteropTests.ssh(
                port: server.port, user: realm.user,
                [
                    "-o", "GSSAPIKeyExchange=yes", "-o", "GSSAPIKexAlgorithms=\(base)", "-o", "BatchMode=yes",
                    "-o", "PreferredAuthentications=gssapi-keyex",
                ])
            #expect(log.contains("kex: algorithm: \(method.name)"), "\(method.name): \(log)")
            #expect(log.contains("Authenticated to 127.0.0.1 ([127.0.0.1]:\(server.port)) using \"gssapi-keyex\""), "\(log)")
            let strategy = Self.keyExchangeStrategy
            let client = try await SSHClient.connect(
                host: "127.0.0.1", port: server.port, username: realm.user, authentication: strategy,
                hostKeyPolicy: .acceptAnythingInsecurely, configuration: try Self.keyExchange(base))
            #expect(client.negotiated.keyExchange == method)
            #expect(client.authenticationMethods == ["gssapi-keyex"])
            await client.close()
            logins += 2
        }
        var identities = await server.recordedIdentities()
        for _ in 0..<250 where identities.count < logins {
            try await Task.sleep(for: .milliseconds(20))
            identities = await server.recordedIdentities()
        }
        #expect(identities.map(\.methods) == Array(repeating: ["gssapi-keyex"], count: logins))
    }

    /// A server without host keys offers `null` (RFC 4462 §5), which only GSS-API key exchange can use.
    @Test func aServerWithoutHostKeysUsesNull() async throws {
        let realm = try await KerberosRealm.start()
        let server = try await Self.gssKeyExchangeServer(realm, hostKeys: [], methods: ["gssapi-keyex"])
        defer { server.stop() }
        let log = try await ServerAuthInteropTests.ssh(
            port: server.port, user: realm.user,
            ["-o", "GSSAPIKeyExchange=yes", "-o", "BatchMode=yes", "-o", "PreferredAuthentications=gssapi-keyex"])
        #expect(log.contains("kex: host key algorithm: null"), "\(log)")
        #expect(log.contains("using \"gssapi-keyex\""), "\(log)")
        let strategy = Self.keyExchangeStrategy
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: server.port, username: realm.user, authentication: strategy,
            hostKeyPolicy: .knownHosts(["/dev/null"], unknown: .reject),
            configuration: try Self.keyExchange("gss-curve25519-sha256-"))
        #expect(client.negotiated.hostKey == "null" && client.hostKey == nil)
        #expect(client.authenticationMethods == ["gssapi-keyex"])
        await client.close()
    }

    @Test func ourServerAcceptsKerberos() async throws {
        let realm = try await KerberosRealm.start()
        var configuration = ServerAuthConfiguration()
        configuration.methods = ["gssapi-with-mic"]
        configuration.gssapiKeytab = realm.serverKeytab
        let server = try await AuthTestServer(
            hostKeys: [Self.hostKey], configuration: configuration, delegate: KerberosDelegate())
        defer { server.stop() }
        let options = ["-o", "GSSAPIAuthentication=yes", "-o", "PreferredAuthentications=gssapi-with-mic", "-o", "BatchMode=yes"]

        let accepted = try await ServerAuthInteropTests.ssh(port: server.port, user: realm.user, options)
        #expect(accepted.contains("Authenticated to 127.0.0.1"), "\(accepted)")
        #expect(await server.recordedIdentities().map(\.methods) == [["gssapi-with-mic"]])

        // The principal is not that account's, or the ticket is another principal's.
        let otherAccount = try await ServerAuthInteropTests.ssh(port: server.port, user: "somebody-else", options)
        #expect(otherAccount.contains("Permission denied"), "\(otherAccount)")
        let stranger = try await ServerAuthInteropTests.ssh(
            port: server.port, user: realm.user, options, environment: ["KRB5CCNAME": try realm.strangerTicketCache()])
        #expect(stranger.contains("Permission denied"), "\(stranger)")

        // Our client, delegating, to our server.
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: server.port, username: realm.user, authentication: Self.strategy(delegating: true),
            hostKeyPolicy: .acceptAnythingInsecurely)
        #expect(client.authenticationMethods == ["gssapi-with-mic"])
        await client.close()
        var identities = await server.recordedIdentities()
        for _ in 0..<250 where identities.count < 2 {
            try await Task.sleep(for: .milliseconds(20))
            identities = await server.recordedIdentities()
        }
        #expect(identities.map(\.methods) == [["gssapi-with-mic"], ["gssapi-with-mic"]])
    }

    @Test func kerberosLoginRules() async throws {
        let realm = try await KerberosRealm.start()
        #expect(KerberosLogin.allows(principal: "\(realm.user)@\(KerberosRealm.name)", user: realm.user))
        #expect(!KerberosLogin.allows(principal: "stranger@\(KerberosRealm.name)", user: realm.user))
        #expect(!KerberosLogin.allows(principal: "\(realm.user)@ELSEWHERE.TEST", user: realm.user))
        #expect(!KerberosLogin.allows(principal: "", user: realm.user))
    }
}
