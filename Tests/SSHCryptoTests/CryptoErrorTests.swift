import SSHCrypto
import Testing

@Suite struct CryptoErrorTests {
    @Test func describesCode() {
        #expect(CryptoError(.authenticationFailed, "bad tag").description.contains("authenticationFailed"))
    }
}
