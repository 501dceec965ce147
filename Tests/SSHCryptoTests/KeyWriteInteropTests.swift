import Foundation
import SSHCrypto
import Testing

/// Keys we write are read back by us, by `ssh-keygen -y`/`-l`, by `openssl pkey` and by `puttygen`.
@Suite("Writing key files")
struct KeyWriteInteropTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var type: SSHKeyType
        var format: PrivateKeyFileFormat
        var encrypted: Bool
        var cipher: String = "aes256-ctr"
        var testDescription: String { "\(type) \(format) \(encrypted ? "encrypted \(cipher)" : "plain")" }
    }

    static let cases: [Case] =
        SSHKeyType.allCases.flatMap { type in
            PrivateKeyFileFormat.allCases.flatMap { format in
                [Case(type: type, format: format, encrypted: false), Case(type: type, format: format, encrypted: true)]
            }
        }
        + [
            "aes128-ctr", "aes256-cbc", "aes256-gcm@openssh.com", "aes128-gcm@openssh.com", "3des-cbc",
            "chacha20-poly1305@openssh.com",
        ].map {
            Case(type: .ed25519, format: .openSSH, encrypted: true, cipher: $0)
        }

    @Test(arguments: cases)
    func writeReadAndCheckWithTools(_ testCase: Case) throws {
        let key = try GeneratedKeys.key(testCase.type)
        var named = key
        named.comment = "writer test"
        let passphrase = testCase.encrypted ? KeyFixtures.passphrase : nil
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("id_test").path
        try named.write(to: path, format: testCase.format, passphrase: passphrase, cipher: testCase.cipher, rounds: 4)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let reread = try SSHPrivateKey(path: path, passphrase: passphrase)
        #expect(reread.publicKey == key.publicKey)
        if testCase.format == .openSSH || testCase.format.isPuTTY { #expect(reread.comment == "writer test") }
        if testCase.encrypted {
            expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(path: path) }
            expectKeyFileError(.wrongPassphrase) { _ = try SSHPrivateKey(path: path, passphrase: "wrong") }
        }
        let signature = try reread.signature(for: [1, 2, 3])
        #expect(key.publicKey.isValidSignature(signature, for: [1, 2, 3]))

        let sshKeygenReads = !(testCase.type == .ed25519 && testCase.format != .openSSH) && !testCase.format.isPuTTY
        if sshKeygenReads, ExternalTool.available(ExternalTool.sshKeygen), let tool = ExternalTool.sshKeygen {
            let exported = try ExternalTool.run(tool, ["-y", "-P", passphrase ?? "", "-f", path])
            #expect(exported.status == 0, "\(exported.stderr)")
            #expect(exported.stdout.keyFields == key.publicKey.openSSHLine)
            if !testCase.encrypted {
                let listed = try ExternalTool.run(tool, ["-l", "-f", path])
                let comment = testCase.format == .openSSH ? "writer test" : ""
                #expect(listed.stdout.trimmedLine == key.publicKey.fingerprintLine(comment: comment))
            }
        }
        if testCase.format.isPuTTY, PuTTYgen.available {
            try PuTTYgen.expectReads(path, passphrase: passphrase, publicKey: key.publicKey, comment: "writer test")
        }
        if testCase.format == .pem || testCase.format == .pkcs8, ExternalTool.available(ExternalTool.openssl),
            let tool = ExternalTool.openssl
        {
            let checked = try ExternalTool.run(
                tool, ["pkey", "-in", path, "-passin", "pass:\(passphrase ?? "")", "-noout"])
            #expect(checked.status == 0, "\(checked.stderr)")
        }
    }

    @Test func writeReplacesAtomicallyAndStaysPrivate() throws {
        let key = try GeneratedKeys.key(.ed25519)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("id").path
        try "old".write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        try key.write(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["id"])
    }
}
