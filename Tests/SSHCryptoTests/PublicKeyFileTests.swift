import Foundation
import SSHCrypto
import Testing

@Suite("Public key files")
struct PublicKeyFileTests {
    static let names = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa", "dsa"]

    @Test(arguments: names)
    func readsSSHKeygenExports(_ name: String) throws {
        let expected = try SSHPublicKey(openSSHLine: try KeyFixtures.text("openssh_\(name).pub"))
        let (fromRFC4716, comment) = try SSHPublicKey.parse(
            fileContents: try KeyFixtures.text("openssh_\(name).pub.rfc4716"))
        #expect(fromRFC4716 == expected)
        #expect(comment.contains("converted by"))
        for suffix in ["pkcs8", "pem"] {
            let path = KeyFixtures.path("openssh_\(name).pub.\(suffix)")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let (key, _) = try SSHPublicKey.parse(fileContents: try String(contentsOfFile: path, encoding: .utf8))
            #expect(key == expected, "\(suffix)")
        }
    }

    @Test(arguments: names)
    func writesWhatSSHKeygenImports(_ name: String) throws {
        let key = try SSHPublicKey(openSSHLine: try KeyFixtures.text("openssh_\(name).pub"))
        let rfc4716 = try key.fileContents(format: .rfc4716, comment: "a \"quoted\" comment")
        let parsedRFC4716 = try SSHPublicKey.parse(fileContents: rfc4716)
        #expect(parsedRFC4716.key == key)
        #expect(parsedRFC4716.comment == #"a \"quoted\" comment"#)
        let pkcs8 = try key.fileContents(format: .pkcs8)
        #expect(try SSHPublicKey.parse(fileContents: pkcs8).key == key)
        let line = try SSHPublicKey.parse(fileContents: key.fileContents(comment: "c"))
        #expect(line.key == key && line.comment == "c")

        guard ExternalTool.available(ExternalTool.sshKeygen), let tool = ExternalTool.sshKeygen else { return }
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let rfcPath = directory.appendingPathComponent("key.rfc4716").path
        try rfc4716.write(toFile: rfcPath, atomically: true, encoding: .utf8)
        let imported = try ExternalTool.run(tool, ["-i", "-f", rfcPath])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.keyFields == key.openSSHLine)
        if name != "ed25519" {
            let pemPath = directory.appendingPathComponent("key.pkcs8").path
            try pkcs8.write(toFile: pemPath, atomically: true, encoding: .utf8)
            let fromPKCS8 = try ExternalTool.run(tool, ["-i", "-m", "PKCS8", "-f", pemPath])
            #expect(fromPKCS8.status == 0, "\(fromPKCS8.stderr)")
            #expect(fromPKCS8.stdout.keyFields == key.openSSHLine)
        }
    }

    @Test func malformedPublicFiles() {
        expectKeyFileError(.corrupt) {
            _ = try SSHPublicKey.parse(fileContents: "---- BEGIN SSH2 PUBLIC KEY ----\nAAAA\n")
        }
        expectKeyFileError(.corrupt) {
            _ = try SSHPublicKey.parse(
                fileContents: "---- BEGIN SSH2 PUBLIC KEY ----\n%%%\n---- END SSH2 PUBLIC KEY ----\n")
        }
        expectKeyFileError(.corrupt) {
            _ = try SSHPublicKey.parse(fileContents: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
        }
        expectKeyFileError(.unsupportedFormat) { _ = try SSHPublicKey.parse(fileContents: "") }
    }
}
