import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

@Suite struct AuthStrategyTests {
    /// Keys given, then named files (a certificate beside one first), then agent keys, then the
    /// default files, then the password twice (password and keyboard-interactive).
    @Test func orderFollowsParamikosSSHClient() throws {
        let home = try Peers.temporaryDirectory("strategy-home")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        let given = try SSHPrivateKey.generate(.ed25519)
        let named = try SSHPrivateKey.generate(.ecdsaP256)
        let agent = try SSHPrivateKey.generate(.ecdsaP384)
        let fallback = try SSHPrivateKey.generate(.ed25519)
        let namedPath = home.appendingPathComponent("work_key").path
        try named.write(to: namedPath, passphrase: "pass")
        let authority = try SSHPrivateKey.generate(.ed25519)
        let certificate = try authority.certify(named.publicKey, SSHCertificateRequest(kind: .user, keyID: "w", principals: ["me"]))
        try (certificate.openSSHLine + "\n").write(toFile: namedPath + "-cert.pub", atomically: true, encoding: .utf8)
        try fallback.write(to: home.appendingPathComponent(".ssh/id_ed25519").path)

        var strategy = AuthStrategy()
        strategy.homeDirectory = home.path
        strategy.keys = [given]
        strategy.keyFiles = [namedPath, "~/missing"]
        strategy.agentKeys = [agent, given]
        strategy.password = "pass"
        let (credentials, problems) = strategy.credentials()
        let offered = credentials.compactMap { credential -> SSHPublicKey? in
            if case .publicKey(let signer) = credential { return signer.publicKey } else { return nil }
        }
        #expect(offered == [given.publicKey, certificate, named.publicKey, agent.publicKey, fallback.publicKey])
        #expect(credentials.suffix(2).map(\.method) == ["password", "keyboard-interactive"])
        #expect(problems.map(\.path) == [home.path + "/missing"])

        strategy.identitiesOnly = true
        strategy.password = nil
        strategy.passphrase = "wrong"
        let (only, refused) = strategy.credentials()
        #expect(only.count == 1)
        #expect(refused.first?.error.code == .wrongPassphrase)
    }
}
