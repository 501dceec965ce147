import Foundation
import SSHCrypto
import Testing

@Suite("Certificate signing")
struct CertificateSigningTests {
    @Test(arguments: SSHKeyType.allCases)
    func certifyAndReadBack(_ authorityType: SSHKeyType) throws {
        let authority = try GeneratedKeys.key(authorityType)
        let subject = try GeneratedKeys.key(.ed25519)
        var request = SSHCertificateRequest(kind: .user, keyID: "alice@example", principals: ["alice", "ops"])
        request.serial = 77
        request.validAfter = 1_700_000_000
        request.validBefore = 1_900_000_000
        request.criticalOptions = ["source-address": "192.0.2.0/24", "force-command": "uptime"]
        let certified = try authority.certify(subject.publicKey, request)
        let certificate = try #require(certified.certificate)
        #expect(certified.keyType == "ssh-ed25519-cert-v01@openssh.com")
        #expect(certificate.key == subject.publicKey)
        #expect(certificate.signatureKey == authority.publicKey)
        #expect(certificate.hasValidSignature)
        #expect(certificate.criticalOptions.map(\.name) == ["force-command", "source-address"])
        #expect(certificate.criticalOption("force-command") == "uptime")
        #expect(certificate.extensions.map(\.name) == SSHCertificateRequest.defaultUserExtensions.sorted())
        try certificate.validate(
            kind: .user, principal: "ops", now: 1_800_000_000, trustedAuthorities: [authority.publicKey])
        #expect(certified.fingerprint() == subject.publicKey.fingerprint())

        let signature = try subject.signature(for: [4, 5, 6])
        #expect(certified.isValidSignature(signature, for: [4, 5, 6], algorithm: certified.keyType))

        guard ExternalTool.available(ExternalTool.sshKeygen), let tool = ExternalTool.sshKeygen else { return }
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("id-cert.pub")
        try (certified.openSSHLine + "\n").write(to: path, atomically: true, encoding: .utf8)
        // ssh-keygen checks the CA signature while it parses the certificate.
        let listed = try ExternalTool.run(tool, ["-L", "-f", path.path])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("Key ID: \"alice@example\""))
        #expect(listed.stdout.contains("Serial: 77"))
    }

    @Test func certificatesCannotBeCertified() throws {
        let authority = try GeneratedKeys.key(.ed25519)
        let request = SSHCertificateRequest(kind: .host, keyID: "h", principals: [])
        let certified = try authority.certify(try GeneratedKeys.key(.ecdsaP256).publicKey, request)
        #expect(certified.certificate?.extensions.isEmpty == true)
        #expect(throws: CryptoError.self) { _ = try authority.certify(certified, request) }

        let anyHost = try #require(certified.certificate)
        #expect(throws: SSHCertificate.Rejection.principalNotListed) {
            try anyHost.validate(kind: .host, principal: "h", now: 1, trustedAuthorities: [authority.publicKey])
        }
        try anyHost.validate(
            kind: .host, principal: "h", now: 1, trustedAuthorities: [authority.publicKey], requirePrincipal: false)
    }
}
