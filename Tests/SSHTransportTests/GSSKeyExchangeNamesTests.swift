import SSHCrypto
import SSHTransport
import Testing

/// GSS-API key exchange method names (RFC 4462 §2.3, RFC 8732): the base name and the base64 MD5
/// of the mechanism's DER OID, as OpenSSH's GSSAPIKexAlgorithms and KEXINIT spell them.
struct GSSKeyExchangeNamesTests {
    @Test func kerberosNamesAreOpenSSHs() throws {
        // RFC 4462 §2.3's example of the Kerberos V5 suffix, as `ssh -vv` offers it.
        #expect(GSSKeyExchange.nameSuffix(mechanism: GSSKeyExchange.kerberos5Mechanism) == "toWM5Slw5Ew8Mqkay+al2g==")
        let method = try #require(KeyExchangeMethod.named("gss-curve25519-sha256-toWM5Slw5Ew8Mqkay+al2g=="))
        #expect(method.usesGSSAPI)
        #expect(method.kind == .curve25519 && method.hash == .sha256)
        #expect(KeyExchangeMethod.named("gss-group16-sha512-toWM5Slw5Ew8Mqkay+al2g==")?.kind == .fixedGroup(.group16))
        #expect(KeyExchangeMethod.named("gss-nistp256-sha256-toWM5Slw5Ew8Mqkay+al2g==")?.kind == .ecdh(.p256))
        // Another mechanism's suffix, group exchange (not implemented) and the ordinary names.
        #expect(KeyExchangeMethod.named("gss-group14-sha256-eipGX3TCiQSrx573bT1o1Q==") == nil)
        #expect(KeyExchangeMethod.named("gss-gex-sha1-toWM5Slw5Ew8Mqkay+al2g==") == nil)
        #expect(KeyExchangeMethod.named("curve25519-sha256")?.usesGSSAPI == false)
        #expect(KeyExchangeMethod.gssBaseNames.allSatisfy { KeyExchangeMethod.gss($0) != nil })
    }
}
