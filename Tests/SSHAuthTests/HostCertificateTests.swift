import SSHAuth
import SSHCrypto
import Testing

@Suite("known_hosts @cert-authority")
struct HostCertificateTests {
    /// A CA, a second CA, a host key and certificates made by ssh-keygen.
    struct Fixture {
        let workspace: KnownHostsWorkspace
        let authority: SSHPublicKey
        let otherAuthority: SSHPublicKey
        let hostKey: SSHPublicKey
        let certificate: SSHPublicKey

        init?() throws {
            guard let workspace = try KnownHostsWorkspace.make() else { return nil }
            self.workspace = workspace
            authority = try workspace.makeKey("ca")
            otherAuthority = try workspace.makeKey("ca2")
            hostKey = try workspace.makeKey("host", type: "ecdsa")
            certificate = try workspace.certify("host", authority: "ca", principals: ["host.example"])
        }

        func certify(principals: [String], validity: String? = nil, authority: String = "ca") throws -> SSHPublicKey {
            let name = "host-\(principals.joined())-\(validity ?? "")-\(authority)"
            try workspace.write(hostKey.openSSHLine + "\n", to: name + ".pub")
            return try workspace.certify(name, authority: authority, principals: principals, validity: validity)
        }
    }

    @Test func aCertificateSignedByTheRecordedCAIsKnown() throws {
        guard let fixture = try Fixture() else { return }
        let certificate = try #require(fixture.certificate.certificate)
        #expect(certificate.kind == .host)
        #expect(certificate.key == fixture.hostKey)
        let hostKeys = HostKeys(text: "@cert-authority *.example \(fixture.authority.openSSHLine)\n")
        #expect(hostKeys.check(fixture.certificate, host: "host.example") == .known)
        #expect(hostKeys.check(fixture.certificate, host: "HOST.example") == .known)
        // Not a principal: ssh falls back to the plain key, which is not recorded.
        #expect(hostKeys.check(fixture.certificate, host: "other.example") == .unknown)
        // A CA line does not vouch for the CA key presented as a plain host key.
        #expect(hostKeys.check(fixture.authority, host: "host.example") == .unknown)
        #expect(hostKeys.check(fixture.certificate, host: "host.example", port: 2222) == .unknown)
        let onPort = HostKeys(text: "@cert-authority [*.example]:2222 \(fixture.authority.openSSHLine)\n")
        #expect(onPort.check(fixture.certificate, host: "host.example", port: 2222) == .known)
    }

    @Test func withoutAMatchingCATheCertifiedKeyDecides() throws {
        guard let fixture = try Fixture() else { return }
        let other = try TestKeys.make(.ecdsaP256)
        let otherCA = "@cert-authority * \(fixture.otherAuthority.openSSHLine)\n"
        #expect(HostKeys(text: otherCA).check(fixture.certificate, host: "host.example") == .unknown)
        #expect(
            HostKeys(text: otherCA + "host.example \(fixture.hostKey.openSSHLine)\n")
                .check(fixture.certificate, host: "host.example") == .known)
        #expect(
            HostKeys(text: otherCA + "host.example \(other.openSSHLine)\n").check(
                fixture.certificate, host: "host.example")
                == .changed(expected: [other], presented: fixture.certificate))
    }

    @Test func revokedKeysAndAuthoritiesWin() throws {
        guard let fixture = try Fixture() else { return }
        let trusted = "@cert-authority *.example \(fixture.authority.openSSHLine)\n"
        #expect(
            HostKeys(text: trusted + "@revoked * \(fixture.authority.openSSHLine)\n")
                .check(fixture.certificate, host: "host.example") == .revoked)
        #expect(
            HostKeys(text: trusted + "@revoked * \(fixture.hostKey.openSSHLine)\n")
                .check(fixture.certificate, host: "host.example") == .revoked)
        #expect(
            HostKeys(
                text: "@revoked * \(fixture.certificate.openSSHLine)\nhost.example \(fixture.hostKey.openSSHLine)\n"
            )
            .check(fixture.hostKey, host: "host.example") == .revoked)
        #expect(
            HostKeys(text: trusted + "@revoked elsewhere.example \(fixture.authority.openSSHLine)\n")
                .check(fixture.certificate, host: "host.example") == .known)
    }

    @Test func validityPrincipalsAndKindAreChecked() throws {
        guard let fixture = try Fixture() else { return }
        let hostKeys = HostKeys(text: "@cert-authority * \(fixture.authority.openSSHLine)\n")
        let january2000 = try fixture.certify(principals: ["host.example"], validity: "20000101:20000201")
        #expect(hostKeys.check(january2000, host: "host.example") == .unknown)
        #expect(hostKeys.check(january2000, host: "host.example", now: 948_000_000) == .known)
        // ssh accepts a host certificate that lists no principal for any host its CA line covers.
        let anyHost = try fixture.certify(principals: [])
        #expect(hostKeys.check(anyHost, host: "whatever.example") == .known)
        let userResult = try fixture.workspace.keygen([
            "-q", "-s", fixture.workspace.path("ca"), "-I", "user", "-n", "host.example",
            fixture.workspace.path("host.pub"),
        ])
        #expect(userResult.status == 0)
        let userCertificate = try SSHPublicKey(path: fixture.workspace.path("host-cert.pub"))
        #expect(userCertificate.certificate?.kind == .user)
        #expect(hostKeys.check(userCertificate, host: "host.example") == .unknown)
    }
}
