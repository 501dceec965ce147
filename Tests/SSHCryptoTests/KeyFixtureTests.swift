import Foundation
import SSHCrypto
import Testing

/// Every fixture made by Fixtures/make-fixtures.sh loads, and prints what ssh-keygen printed for it.
@Suite("Key fixtures")
struct KeyFixtureTests {
    @Test(arguments: KeyFixtures.privateKeys)
    func loadsAndMatchesSSHKeygen(_ name: String) throws {
        let passphrase = KeyFixtures.isEncrypted(name) ? KeyFixtures.passphrase : nil
        let key = try SSHPrivateKey(fileContents: try KeyFixtures.text(name), passphrase: passphrase)
        let publicLine = try KeyFixtures.text(name + ".pub")
        #expect(key.publicKey.openSSHLine == publicLine.keyFields)
        let expected = try KeyFixtures.text(name + ".fp").trimmedLine
        #expect(key.publicKey.fingerprintLine(comment: key.comment) == expected)
        let expectedMD5 = try KeyFixtures.text(name + ".fp-md5").trimmedLine
        #expect(key.publicKey.fingerprintLine(comment: key.comment, digest: .md5) == expectedMD5)
        let parsed = try SSHPublicKey(openSSHLine: publicLine)
        #expect(parsed == key.publicKey)
    }

    static let encrypted = KeyFixtures.privateKeys.filter(KeyFixtures.isEncrypted)

    @Test(arguments: encrypted)
    func wrongPassphraseIsDistinct(_ name: String) throws {
        let text = try KeyFixtures.text(name)
        expectKeyFileError(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: text, passphrase: "wrong horse") }
        expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(fileContents: text) }
    }

    @Test func smallRSAKeyIsRefused() throws {
        let text = try KeyFixtures.text("pem_rsa768")
        expectKeyFileError(.keyTooSmall) { _ = try SSHPrivateKey(fileContents: text) }
    }

    @Test func keysLoadFromPaths() throws {
        let key = try SSHPrivateKey(path: KeyFixtures.path("openssh_ed25519"))
        let publicKey = try SSHPublicKey(path: KeyFixtures.path("openssh_ed25519.pub"))
        #expect(key.publicKey == publicKey)
        #expect(key.comment == "fixture ed25519")
        expectKeyFileError(.io) { _ = try SSHPrivateKey(path: KeyFixtures.path("no-such-key")) }
    }

    @Test(arguments: ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa", "dsa"])
    func sshKeygenSignaturesVerify(_ name: String) throws {
        let message = Array(try KeyFixtures.text("message_\(name).txt").utf8)
        let signature = try KeyFixtures.text("message_\(name).txt.sig")
        let publicKey = try SSHPublicKey(openSSHLine: try KeyFixtures.text("openssh_\(name).pub"))
        #expect(SSHSignatureFile.verify(signature, message: message, namespace: "file") == publicKey)
        #expect(SSHSignatureFile.verify(signature, message: message + [0], namespace: "file") == nil)
        #expect(SSHSignatureFile.verify(signature, message: message, namespace: "git") == nil)
    }

    @Test func passphrasesInSecureBytes() throws {
        let text = try KeyFixtures.text("openssh_rsa_enc")
        let key = try SSHPrivateKey(fileContents: text, passphrase: SecureBytes(KeyFixtures.passphrase.utf8))
        expectKeyFileError(.wrongPassphrase) {
            _ = try SSHPrivateKey(fileContents: text, passphrase: SecureBytes("nope".utf8))
        }
        for format in PrivateKeyFileFormat.allCases {
            let written = try key.fileContents(format: format, passphrase: SecureBytes("s3cret".utf8), rounds: 2)
            let again = try SSHPrivateKey(fileContents: written, passphrase: SecureBytes("s3cret".utf8))
            #expect(again.publicKey == key.publicKey)
            expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(fileContents: written) }
        }
        let pem = try KeyFixtures.text("pkcs8_ecdsa384_enc")
        _ = try SSHPrivateKey(fileContents: pem, passphrase: SecureBytes(KeyFixtures.passphrase.utf8))
    }
}
