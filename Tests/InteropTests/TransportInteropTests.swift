import Foundation
import SSHCrypto
import SSHTestSupport
import SSHTransport
import Testing

/// Our transport client against OpenSSH's sshd: the key exchange completes, the host key is the
/// server's, and SERVICE_ACCEPT arrives, for every algorithm sshd 9.2 accepts, pinned on both sides.
@Suite(.enabled(if: Peers.available("sshd"), "OpenSSH sshd is not installed"))
struct TransportInteropTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var kex = "curve25519-sha256"
        var hostKey = "ssh-ed25519"
        var cipher = "aes128-ctr"
        var mac = "hmac-sha2-256"
        var compression = "none"
        var keyType = "ed25519"
        var testDescription: String { "\(kex) \(hostKey) \(cipher) \(mac) \(compression)" }
    }

    static let kexCases = KeyExchangeMethod.supported.filter { Peers.openSSHKeyExchanges.contains($0.name) }
        .map { Case(kex: $0.name) }
    static let cipherCases = CipherAlgorithm.supported.map { Case(cipher: $0.name) }
    static let macCases = MACAlgorithm.supported.map { Case(mac: $0.name) }
    static let hostKeyCases = [
        Case(hostKey: "ssh-ed25519", keyType: "ed25519"),
        Case(hostKey: "ecdsa-sha2-nistp256", keyType: "ecdsa"),
        Case(hostKey: "ecdsa-sha2-nistp384", keyType: "ecdsa384"),
        Case(hostKey: "ecdsa-sha2-nistp521", keyType: "ecdsa521"),
        Case(hostKey: "rsa-sha2-512", keyType: "rsa"),
        Case(hostKey: "rsa-sha2-256", keyType: "rsa"),
        Case(hostKey: "ssh-rsa", keyType: "rsa"),
        Case(hostKey: "ssh-dss", keyType: "dsa"),
    ]
    static let compressionCases = [Case(compression: "zlib@openssh.com")]

    static func run(_ test: Case, rekeys: Int = 0) async throws {
        let server = try await OpenSSHServer.start(
            hostKeyTypes: [test.keyType],
            configuration: [
                "KexAlgorithms \(test.kex)", "HostKeyAlgorithms \(test.hostKey)", "Ciphers \(test.cipher)",
                "MACs \(test.mac)", "Compression \(test.compression == "none" ? "no" : "delayed")",
                "PubkeyAcceptedAlgorithms +ssh-rsa,ssh-dss",
            ])
        defer { server.stop() }
        var configuration = TransportConfiguration(role: .client)
        configuration.algorithms = AlgorithmPreferences(
            keyExchange: [test.kex], hostKey: [test.hostKey], ciphers: [test.cipher], macs: [test.mac],
            compression: [test.compression])
        let result: ProbeResult
        do {
            result = try await TransportProbe.run(port: server.port, configuration: configuration, rekeys: rekeys)
        } catch {
            Issue.record("\(error)\n--- sshd log ---\n\(server.log)")
            return
        }
        #expect(result.negotiated.keyExchange.name == test.kex)
        #expect(result.negotiated.hostKey == test.hostKey)
        #expect(result.negotiated.cipherClientToServer.name == test.cipher)
        #expect(result.negotiated.cipherServerToClient.name == test.cipher)
        if !(CipherAlgorithm.named(test.cipher)?.isAEAD ?? true) {
            // Both directions carried a packet under the MAC (SERVICE_REQUEST, SERVICE_ACCEPT), and
            // sshd says it chose the same one.
            #expect(result.negotiated.macClientToServer?.name == test.mac)
            #expect(result.negotiated.macServerToClient?.name == test.mac)
            for direction in ["client->server", "server->client"] {
                let line = "kex: \(direction) cipher: \(test.cipher) MAC: \(test.mac) "
                #expect(await server.logEventually(contains: line), "\(server.log)")
            }
        }
        #expect(result.negotiated.compressionClientToServer == test.compression)
        #expect(result.negotiated.strictKeyExchange)
        #expect(result.hostKeyBlob == (try server.hostKeyBlob(test.keyType)))
        #expect(result.serverIdentification.hasPrefix("SSH-2.0-OpenSSH_"))
        #expect(result.serverSignatureAlgorithms?.contains("rsa-sha2-512") == true)
    }

    @Test(arguments: kexCases) func keyExchange(_ test: Case) async throws { try await Self.run(test) }
    @Test(arguments: cipherCases) func cipher(_ test: Case) async throws { try await Self.run(test) }
    @Test(arguments: macCases) func mac(_ test: Case) async throws { try await Self.run(test) }
    @Test(arguments: hostKeyCases) func hostKey(_ test: Case) async throws { try await Self.run(test) }
    @Test(arguments: compressionCases) func compression(_ test: Case) async throws { try await Self.run(test) }

    /// sshd presents a host certificate (HostCertificate); our client negotiates the certificate
    /// algorithm, verifies the signature with the certified key and sees the certificate blob.
    @Test func sshdHostCertificate() async throws {
        let keygen = try #require(Peers.executable("ssh-keygen"))
        let directory = try Peers.temporaryDirectory("host-cert")
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = directory.appendingPathComponent("ca").path
        let hostKey = directory.appendingPathComponent("host_ed25519").path
        _ = try await Peers.runDetached([keygen, "-q", "-N", "", "-t", "ed25519", "-f", authority])
        _ = try await Peers.runDetached([keygen, "-q", "-N", "", "-t", "ed25519", "-f", hostKey])
        let signed = try await Peers.runDetached([keygen, "-q", "-s", authority, "-h", "-I", "sshd", "-n", "127.0.0.1", hostKey + ".pub"])
        #expect(signed.status == 0, "\(signed.output)")
        let server = try await OpenSSHServer.start(
            hostKeyTypes: [], configuration: ["HostKey \(hostKey)", "HostCertificate \(hostKey)-cert.pub"])
        defer { server.stop() }
        var configuration = TransportConfiguration(role: .client)
        configuration.algorithms.hostKey = ["ssh-ed25519-cert-v01@openssh.com"]
        let result = try await TransportProbe.run(port: server.port, configuration: configuration, log: { server.log })
        #expect(result.negotiated.hostKey == "ssh-ed25519-cert-v01@openssh.com")
        let certificate = try SSHPublicKey(openSSHLine: try String(contentsOfFile: hostKey + "-cert.pub", encoding: .utf8))
        #expect(result.hostKeyBlob == certificate.blob)
        #expect(try SSHPublicKey(blob: result.hostKeyBlob).certificate?.keyID == "sshd")
    }

    /// sshd takes no key re-exchange before authentication: it answers our KEXINIT with
    /// UNIMPLEMENTED, which ends the connection with a typed error rather than the kex deadline.
    /// (Re-exchanges with sshd after authentication are proven with the authentication layer.)
    @Test func sshdRefusesARekeyBeforeAuthentication() async throws {
        let server = try await OpenSSHServer.start(hostKeyTypes: ["ed25519"])
        defer { server.stop() }
        await #expect {
            _ = try await TransportProbe.run(port: server.port, configuration: TransportConfiguration(role: .client), rekeys: 1)
        } throws: { error in
            "\(error)".contains("keyExchangeFailed") && "\(error)".contains("refused")
        }
    }
}
