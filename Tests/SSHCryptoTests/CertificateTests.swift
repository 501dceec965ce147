import SSHCrypto
import Testing

@Suite("OpenSSH certificates")
struct CertificateTests {
    @Test func userCertificateFromSSHKeygen() throws {
        let (key, comment) = try SSHPublicKey.parse(openSSHLine: try KeyFixtures.text("cert_user_ecdsa256-cert.pub"))
        let certificate = try #require(key.certificate)
        let authority = try SSHPublicKey(openSSHLine: try KeyFixtures.text("ca_ed25519.pub"))
        let plain = try SSHPublicKey(openSSHLine: try KeyFixtures.text("cert_user_ecdsa256.pub"))
        #expect(key.keyType == "ecdsa-sha2-nistp256-cert-v01@openssh.com")
        #expect(certificate.key == plain)
        #expect(certificate.signatureKey == authority)
        #expect(certificate.kind == .user)
        #expect(certificate.serial == 42)
        #expect(certificate.keyID == "alice@example")
        #expect(certificate.principals == ["alice", "deploy"])
        #expect(certificate.criticalOption("force-command") == "/bin/true")
        #expect(certificate.criticalOption("source-address") == "10.0.0.0/8")
        #expect(certificate.extensions.map(\.name).contains("permit-pty"))
        #expect(certificate.hasValidSignature)
        #expect(
            key.fingerprintLine(comment: comment)
                == (try KeyFixtures.text("cert_user_ecdsa256-cert.pub.fp")).trimmedLine)

        let now: UInt64 = 1_800_000_000
        try certificate.validate(kind: .user, principal: "alice", now: now, trustedAuthorities: [authority])
        #expect(throws: SSHCertificate.Rejection.principalNotListed) {
            try certificate.validate(kind: .user, principal: "mallory", now: now, trustedAuthorities: [authority])
        }
        #expect(throws: SSHCertificate.Rejection.wrongKind) {
            try certificate.validate(kind: .host, principal: "alice", now: now, trustedAuthorities: [authority])
        }
        #expect(throws: SSHCertificate.Rejection.expiredOrNotYetValid) {
            try certificate.validate(kind: .user, principal: "alice", now: 1_000, trustedAuthorities: [authority])
        }
        #expect(throws: SSHCertificate.Rejection.untrustedAuthority) {
            try certificate.validate(kind: .user, principal: "alice", now: now, trustedAuthorities: [plain])
        }
        #expect(throws: SSHCertificate.Rejection.unknownCriticalOption("force-command")) {
            try certificate.validate(
                kind: .user, principal: "alice", now: now, trustedAuthorities: [authority],
                understoodCriticalOptions: ["source-address"])
        }
    }

    @Test func hostCertificateVerifiesSignaturesWithItsKey() throws {
        let (key, comment) = try SSHPublicKey.parse(openSSHLine: try KeyFixtures.text("cert_host_rsa-cert.pub"))
        let certificate = try #require(key.certificate)
        #expect(certificate.kind == .host)
        #expect(certificate.validBefore == UInt64.max)
        #expect(certificate.hasValidSignature)
        #expect(
            key.signatureAlgorithms == [
                "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
                "ssh-rsa-cert-v01@openssh.com",
            ])
        #expect(
            key.fingerprintLine(comment: comment) == (try KeyFixtures.text("cert_host_rsa-cert.pub.fp")).trimmedLine)
        let privateKey = try SSHPrivateKey(fileContents: try KeyFixtures.text("cert_host_rsa"))
        let signature = try privateKey.signature(for: [9, 9], algorithm: "rsa-sha2-256")
        #expect(key.isValidSignature(signature, for: [9, 9]))
        #expect(key.isValidSignature(signature, for: [9, 9], algorithm: "rsa-sha2-256-cert-v01@openssh.com"))
        #expect(!key.isValidSignature(signature, for: [9, 9], algorithm: "rsa-sha2-512-cert-v01@openssh.com"))
    }

    @Test func tamperedCertificateFailsItsSignature() throws {
        let key = try SSHPublicKey(openSSHLine: try KeyFixtures.text("cert_user_ecdsa256-cert.pub"))
        var blob = key.blob
        // Flip a byte of the nonce: still parses, no longer verifies.
        blob[50] ^= 1
        let tampered = try SSHPublicKey(blob: blob)
        #expect(tampered.certificate?.hasValidSignature == false)
    }
}
