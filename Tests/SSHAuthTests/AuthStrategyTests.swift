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

    /// PuTTY .ppk files go where key files go: a plain one is offered as it is, an encrypted one by
    /// the public key it holds in the clear, before any passphrase is asked for.
    @Test func puttyKeyFiles() async throws {
        let directory = try Peers.temporaryDirectory("strategy-ppk")
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try SSHPrivateKey.generate(.ed25519)
        let locked = try SSHPrivateKey.generate(.ecdsaP256)
        let plainPath = directory.appendingPathComponent("plain.ppk").path
        let lockedPath = directory.appendingPathComponent("locked.ppk").path
        try plain.write(to: plainPath, format: .putty)
        try locked.write(to: lockedPath, format: .puttyVersion2, passphrase: "pw")
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.keyFiles = [plainPath, lockedPath]
        strategy.passphrasePrompt = { _ in "pw" }
        let (credentials, problems) = strategy.credentials()
        let signers = credentials.compactMap { credential -> (any SSHSigner)? in
            if case .publicKey(let signer) = credential { return signer } else { return nil }
        }
        #expect(signers.map(\.publicKey) == [plain.publicKey, locked.publicKey])
        #expect(problems.isEmpty)
        let signature = try await signers[1].sign([1, 2, 3], algorithm: "ecdsa-sha2-nistp256")
        #expect(locked.publicKey.isValidSignature(signature, for: [1, 2, 3]))
    }

    /// CertificateFile: a certificate kept elsewhere goes with the key it certifies, and only that key.
    @Test func certificateFilesPairWithTheirKeys() throws {
        let directory = try Peers.temporaryDirectory("strategy-certs")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try SSHPrivateKey.generate(.ed25519)
        let second = try SSHPrivateKey.generate(.ed25519)
        try first.write(to: directory.appendingPathComponent("first").path)
        try second.write(to: directory.appendingPathComponent("second").path)
        let authority = try SSHPrivateKey.generate(.ecdsaP256)
        let certificate = try authority.certify(second.publicKey, SSHCertificateRequest(kind: .user, keyID: "c", principals: ["me"]))
        let certificatePath = directory.appendingPathComponent("elsewhere.pub").path
        try (certificate.openSSHLine + "\n").write(toFile: certificatePath, atomically: true, encoding: .utf8)
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.keyFiles = ["first", "second"].map { directory.appendingPathComponent($0).path }
        strategy.certificateFiles = [certificatePath, directory.appendingPathComponent("absent.pub").path]
        let (credentials, problems) = strategy.credentials()
        let offered = credentials.compactMap { credential -> SSHPublicKey? in
            if case .publicKey(let signer) = credential { return signer.publicKey } else { return nil }
        }
        #expect(offered == [first.publicKey, certificate, second.publicKey])
        #expect(problems.map(\.path) == [directory.appendingPathComponent("absent.pub").path])
    }
}
