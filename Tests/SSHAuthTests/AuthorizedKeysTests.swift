import SSHAuth
import SSHCrypto
import Testing

@Suite struct AuthorizedKeysTests {
    static let now: UInt64 = 1_800_000_000  // 2027-01-15

    @Test func optionsAreAppliedAndHandedOn() throws {
        let laptop = try SSHPrivateKey.generate(.ed25519).publicKey
        let ci = try SSHPrivateKey.generate(.ecdsaP256).publicKey
        let old = try SSHPrivateKey.generate(.ed25519).publicKey
        let stranger = try SSHPrivateKey.generate(.ed25519).publicKey
        let file = AuthorizedKeys(text: """
            # keys
            from="127.0.0.1,10.0.0.0/8,!10.9.9.9" \(laptop.openSSHLine) laptop
            command="deploy",no-pty,restrict \(ci.openSSHLine) ci
            expiry-time="20260101Z" \(old.openSSHLine) old
            garbage line
            """)
        #expect(file.refused.count == 1)
        #expect(file.authorize(laptop, user: "u", clientAddress: "127.0.0.1", now: Self.now) != nil)
        #expect(file.authorize(laptop, user: "u", clientAddress: "10.1.2.3", now: Self.now) != nil)
        #expect(file.authorize(laptop, user: "u", clientAddress: "10.9.9.9", now: Self.now) == nil)
        #expect(file.authorize(laptop, user: "u", clientAddress: "192.168.1.1", now: Self.now) == nil)
        let options = try #require(file.authorize(ci, user: "u", clientAddress: "192.168.1.1", now: Self.now))
        #expect(options.command == "deploy" && options.noPTY && options.restrict)
        #expect(file.authorize(old, user: "u", clientAddress: "127.0.0.1", now: Self.now) == nil)
        #expect(file.authorize(old, user: "u", clientAddress: "127.0.0.1", now: 1_700_000_000) != nil)
        #expect(file.authorize(stranger, user: "u", clientAddress: "127.0.0.1", now: Self.now) == nil)
    }

    @Test func certAuthorityEntriesTakeCertificates() throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ed25519)
        let file = AuthorizedKeys(text: """
            cert-authority,principals="ops,deploy" \(authority.publicKey.openSSHLine)
            """)
        let ops = try authority.certify(key.publicKey, SSHCertificateRequest(kind: .user, keyID: "k", principals: ["ops"]))
        let dev = try authority.certify(key.publicKey, SSHCertificateRequest(kind: .user, keyID: "k", principals: ["dev"]))
        var pinned = SSHCertificateRequest(kind: .user, keyID: "k", principals: ["ops"])
        pinned.criticalOptions = ["source-address": "10.0.0.0/8"]
        let fenced = try authority.certify(key.publicKey, pinned)
        #expect(file.authorize(ops, user: "anyone", clientAddress: "127.0.0.1", now: Self.now) != nil)
        #expect(file.authorize(dev, user: "anyone", clientAddress: "127.0.0.1", now: Self.now) == nil)
        #expect(file.authorize(fenced, user: "anyone", clientAddress: "127.0.0.1", now: Self.now) == nil)
        #expect(file.authorize(fenced, user: "anyone", clientAddress: "10.0.0.5", now: Self.now) != nil)
        // The CA key itself is not a login key, and a plain key is not a certificate.
        #expect(file.authorize(authority.publicKey, user: "anyone", clientAddress: "127.0.0.1", now: Self.now) == nil)
    }
}
