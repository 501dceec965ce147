import Foundation
import NIOCore
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// OpenSSH's `ssh -vv` and Python paramiko against our transport server, and our client against
/// paramiko's, dropbear's and tinysshd's servers.
@Suite struct ServerInteropTests {
    static let hostKeys: [SSHPrivateKey] = {
        [SSHKeyType.ed25519, .ecdsaP256, .ecdsaP384, .ecdsaP521, .rsa, .dsa].compactMap {
            try? SSHPrivateKey.generate($0, bits: $0 == .rsa ? 2048 : nil)
        }
    }()

    static func serverConfiguration(_ algorithms: AlgorithmPreferences = .supported) -> TransportConfiguration {
        var configuration = TransportConfiguration(role: .server)
        configuration.algorithms = algorithms
        configuration.hostKeys = hostKeys
        return configuration
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var kex = "curve25519-sha256"
        var hostKey = "ssh-ed25519"
        var cipher = "aes128-ctr"
        var mac = "hmac-sha2-256"
        var testDescription: String { "\(kex) \(hostKey) \(cipher) \(mac)" }
    }

    static let sshCases: [Case] =
        KeyExchangeMethod.supported.filter { Peers.openSSHKeyExchanges.contains($0.name) }.map { Case(kex: $0.name) }
        + CipherAlgorithm.supported.map { Case(cipher: $0.name) }
        + MACAlgorithm.supported.map { Case(mac: $0.name) }
        + ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "rsa-sha2-512",
            "rsa-sha2-256", "ssh-rsa", "ssh-dss"].map { Case(hostKey: $0) }

    /// Runs `ssh -vv` with the algorithms pinned until our server refuses authentication; returns its
    /// log. `extra` options come first, so they win over the defaults here (ssh keeps the first value).
    static func ssh(port: Int, _ test: Case, extra: [String] = []) async throws -> String {
        guard let ssh = Peers.executable("ssh") else { throw PeerError("ssh is not installed") }
        let result = try await Peers.runDetached(
            [
                ssh, "-vv", "-F", "/dev/null", "-p", "\(port)",
            ] + extra + [
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "ConnectTimeout=10",
                "-o", "KexAlgorithms=\(test.kex)", "-o", "HostKeyAlgorithms=\(test.hostKey)",
                "-o", "Ciphers=\(test.cipher)", "-o", "MACs=\(test.mac)", "tester@127.0.0.1", "true",
            ])
        return result.output
    }

    @Test(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"), arguments: sshCases)
    func openSSHClientReachesAuthentication(_ test: Case) async throws {
        let (channel, port) = try await TransportTestServer.start(configuration: Self.serverConfiguration())
        defer { channel.close(promise: nil) }
        let log = try await Self.ssh(port: port, test)
        #expect(log.contains("debug1: kex: algorithm: \(test.kex)"), "\(log)")
        #expect(log.contains("debug1: kex: host key algorithm: \(test.hostKey)"))
        let cipherLine = CipherAlgorithm.named(test.cipher)?.isAEAD == true
            ? "cipher: \(test.cipher) MAC: <implicit>" : "cipher: \(test.cipher) MAC: \(test.mac)"
        #expect(log.contains("debug1: kex: server->client \(cipherLine)"))
        #expect(log.contains("debug1: kex: client->server \(cipherLine)"))
        #expect(log.contains("SSH2_MSG_SERVICE_ACCEPT received"), "\(log)")
    }

    @Test(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"))
    func openSSHClientWithCompression() async throws {
        let (channel, port) = try await TransportTestServer.start(configuration: Self.serverConfiguration())
        defer { channel.close(promise: nil) }
        let log = try await Self.ssh(port: port, Case(), extra: ["-C"])
        #expect(log.contains("compression: zlib@openssh.com"), "\(log)")
        #expect(log.contains("SSH2_MSG_SERVICE_ACCEPT received"))
    }

    /// ssh accepts our host certificate through an `@cert-authority` known_hosts line, strictly.
    @Test(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"),
        arguments: [SSHKeyType.ed25519, .ecdsaP256, .rsa])
    func openSSHClientAcceptsOurHostCertificate(_ type: SSHKeyType) async throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let hostKey = try SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        let certificate = try authority.certify(
            hostKey.publicKey, SSHCertificateRequest(kind: .host, keyID: "test host", principals: ["127.0.0.1"]))
        var configuration = Self.serverConfiguration()
        configuration.hostKeys = [try CertifiedHostKey(privateKey: hostKey, certificate: certificate)]
        let (channel, port) = try await TransportTestServer.start(configuration: configuration)
        defer { channel.close(promise: nil) }
        let directory = try Peers.temporaryDirectory("known-hosts")
        defer { try? FileManager.default.removeItem(at: directory) }
        let knownHosts = directory.appendingPathComponent("known_hosts").path
        try "@cert-authority * \(authority.publicKey.openSSHLine)\n".write(toFile: knownHosts, atomically: true, encoding: .utf8)
        let algorithm = certificate.signatureAlgorithms[0]
        let log = try await Self.ssh(
            port: port, Case(hostKey: algorithm),
            extra: ["-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=\(knownHosts)"])
        #expect(log.contains("debug1: Server host certificate: \(certificate.keyType)"), "\(log)")
        #expect(log.contains("is known and matches the"), "\(log)")
        #expect(log.contains("SSH2_MSG_SERVICE_ACCEPT received"), "\(log)")
    }

    static let paramikoCases = [
        Case(kex: "curve25519-sha256@libssh.org", hostKey: "ssh-ed25519", cipher: "aes256-ctr", mac: "hmac-sha2-256"),
        Case(kex: "ecdh-sha2-nistp256", hostKey: "ecdsa-sha2-nistp256", cipher: "aes128-ctr", mac: "hmac-sha2-512"),
        Case(kex: "diffie-hellman-group16-sha512", hostKey: "rsa-sha2-512", cipher: "aes256-ctr", mac: "hmac-sha2-256-etm@openssh.com"),
        Case(kex: "diffie-hellman-group-exchange-sha256", hostKey: "rsa-sha2-256", cipher: "aes128-cbc", mac: "hmac-sha1"),
        Case(kex: "diffie-hellman-group14-sha256", hostKey: "ecdsa-sha2-nistp384", cipher: "aes192-ctr", mac: "hmac-sha2-512-etm@openssh.com"),
    ]

    @Test(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"), arguments: paramikoCases)
    func paramikoClientAgainstOurServer(_ test: Case) async throws {
        let (channel, port) = try await TransportTestServer.start(configuration: Self.serverConfiguration())
        defer { channel.close(promise: nil) }
        let python = try #require(PythonPeer.python)
        let result = try await Peers.runDetached(
            [python, "-c", PythonPeer.clientScript, "\(port)", test.kex, test.cipher, test.mac, test.hostKey])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("KEY \(test.hostKey.hasPrefix("rsa-") ? "ssh-rsa" : test.hostKey)"), "\(result.output)")
        #expect(result.output.contains("CIPHER \(test.cipher) \(test.cipher)"))
        #expect(result.output.contains("ACCEPTED True"), "\(result.output)")
    }

    /// Re-exchanges under strict kex started by paramiko (twice) and by our server, then SERVICE_ACCEPT.
    @Test(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"), arguments: [false, true])
    func rekeysWithParamikoClient(serverStarts: Bool) async throws {
        let (channel, port) = try await TransportTestServer.start(
            configuration: Self.serverConfiguration(), rekeyOnServiceRequest: serverStarts)
        defer { channel.close(promise: nil) }
        let python = try #require(PythonPeer.python)
        let test = Case(kex: "curve25519-sha256@libssh.org", cipher: "aes256-gcm@openssh.com")
        let result = try await Peers.runDetached(
            [python, "-c", PythonPeer.clientScript, "\(port)", test.kex, test.cipher, test.mac, test.hostKey, serverStarts ? "0" : "2"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("ACCEPTED True"), "\(result.output)")
        #expect(result.output.contains("STRICT True"), "\(result.output)")
        #expect(result.output.contains(serverStarts ? "KEYS 2" : "KEYS 3"), "\(result.output)")
    }

    @Test(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"))
    func ourClientAgainstParamikoServer() async throws {
        let server = try PythonPeer.startServer(PythonPeer.serverScript, scratch: "paramiko-server")
        defer { server.stop() }
        var configuration = TransportConfiguration(role: .client)
        for cipher in ["aes128-ctr", "aes256-gcm@openssh.com", "aes128-cbc"] {
            configuration.algorithms.ciphers = [cipher]
            let result = try await TransportProbe.run(
                port: server.port, configuration: configuration, rekeys: 2, log: { server.log })
            #expect(result.negotiated.cipherClientToServer.name == cipher)
            #expect(result.negotiated.strictKeyExchange)
            #expect(result.serverIdentification.contains("paramiko"))
        }
    }

    @Test(.enabled(if: Peers.available("dropbear"), "dropbear is not installed"))
    func ourClientAgainstDropbear() async throws {
        let peer = try await DropbearServerTests.start(passwords: false)
        defer { peer.stop() }
        let port = peer.port
        var configuration = TransportConfiguration(role: .client)
        for cipher in ["chacha20-poly1305@openssh.com", "aes128-ctr", "aes256-ctr"] {
            configuration.algorithms.ciphers = [cipher]
            let result = try await TransportProbe.run(port: port, configuration: configuration, log: { peer.log })
            #expect(result.negotiated.cipherServerToClient.name == cipher)
            #expect(result.serverIdentification.contains("dropbear"))
        }
    }

    @Test(.enabled(if: Peers.available("tinysshd") && Peers.available("tcpserver"), "tinysshd or tcpserver is missing"))
    func ourClientAgainstTinySSH() async throws {
        let tinysshd = try #require(Peers.executable("tinysshd"))
        let makekey = try #require(Peers.executable("tinysshd-makekey"))
        let tcpserver = try #require(Peers.executable("tcpserver"))
        let directory = try Peers.temporaryDirectory("tinyssh")
        let keys = directory.appendingPathComponent("keys").path
        _ = try await Peers.runDetached([makekey, keys])
        let port = freeLoopbackPort()
        let peer = try PeerProcess([tcpserver, "-HRDl0", "127.0.0.1", "\(port)", tinysshd, "-v", "-v", keys], port: port, directory: directory)
        defer { peer.stop() }
        let configuration = TransportConfiguration(role: .client)
        let result = try await TransportProbe.run(port: port, configuration: configuration, log: { peer.log })
        #expect(result.negotiated.hostKey == "ssh-ed25519")
        #expect(result.negotiated.cipherClientToServer == .chacha20Poly1305)
    }
}
