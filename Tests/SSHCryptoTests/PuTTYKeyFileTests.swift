import Foundation
import NIOCore
import SSHWire
import Testing

@testable import SSHCrypto

extension PrivateKeyFileFormat {
    var isPuTTY: Bool { self == .putty || self == .puttyVersion2 }
}

/// `puttygen` (putty-tools) as the judge of the .ppk files we write.
enum PuTTYgen {
    static let tool = ExternalTool.find("puttygen")
    /// Whether the tests that run puttygen run: when it is installed, and always under `CI=true`,
    /// where a missing puttygen fails them.
    static var available: Bool { tool != nil || ExternalTool.inCI }
    static let missing: Comment = "puttygen (putty-tools) is not installed"

    /// Checks that puttygen opens the .ppk at `path` with `passphrase`: it converts the file to
    /// OpenSSH format, which we read back and compare, and prints the same public key line.
    static func expectReads(
        _ path: String, passphrase: String?, publicKey: SSHPublicKey, comment: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let tool = try #require(tool, missing)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = [path]
        if let passphrase {
            let file = directory.appendingPathComponent("passphrase").path
            try Data((passphrase + "\n").utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["--old-passphrase", file]
        }
        let listed = try ExternalTool.run(tool, arguments + ["-O", "public-openssh"])
        #expect(listed.status == 0, "\(listed.stderr)", sourceLocation: sourceLocation)
        #expect(listed.stdout.trimmedLine == publicKey.openSSHLine + " " + comment, sourceLocation: sourceLocation)
        let exported = directory.appendingPathComponent("exported").path
        let converted = try ExternalTool.run(tool, arguments + ["-O", "private-openssh-new", "-o", exported])
        #expect(converted.status == 0, "\(converted.stderr)", sourceLocation: sourceLocation)
        let key = try SSHPrivateKey(path: exported, passphrase: passphrase)
        #expect(key.publicKey == publicKey, sourceLocation: sourceLocation)
    }
}

@Suite("PuTTY .ppk key files")
struct PuTTYKeyFileTests {
    static let names = ["ed25519", "ecdsa256", "ecdsa384", "ecdsa521", "rsa", "dsa"]
    static let fixtures: [String] =
        names.flatMap { name in
            ["putty_v2_\(name)", "putty_v2_\(name)_enc", "putty_v3_\(name)", "putty_v3_\(name)_enc"]
        } + ["putty_v3_ed25519_default", "putty_v3_ecdsa256_argon2i", "putty_v3_rsa_argon2d"]

    /// The key type part of a fixture name: putty_v3_rsa_argon2d → rsa.
    static func typeName(_ fixture: String) -> String { fixture.split(separator: "_")[2].description }

    @Test(arguments: fixtures)
    func puttygenFixturesMatchTheirOpenSSHExport(_ fixture: String) throws {
        let name = Self.typeName(fixture)
        let passphrase = fixture.hasSuffix("_\(name)") ? nil : KeyFixtures.passphrase
        let key = try SSHPrivateKey(path: KeyFixtures.path(fixture + ".ppk"), passphrase: passphrase)
        let openSSH = try SSHPrivateKey(path: KeyFixtures.path("putty_\(name).openssh"))
        #expect(key.publicKey == openSSH.publicKey)
        #expect(try key.privateKeyBlob().unsafeArray == openSSH.privateKeyBlob().unsafeArray)
        #expect(key.comment == "putty \(name)")
        let (publicKey, comment) = try SSHPublicKey.parse(fileContents: try KeyFixtures.text(fixture + ".pub"))
        #expect(publicKey == key.publicKey)
        #expect(comment == "putty \(name)")
        let signature = try key.signature(for: [7, 7, 7])
        #expect(openSSH.publicKey.isValidSignature(signature, for: [7, 7, 7]))

        // The public half and comment are readable without the passphrase.
        let clear = try #require(try SSHPublicKey.fromPrivateKeyFile(try KeyFixtures.text(fixture + ".ppk")))
        #expect(clear.key == key.publicKey)
        #expect(clear.comment == "putty \(name)")
        if passphrase != nil {
            expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(path: KeyFixtures.path(fixture + ".ppk")) }
        }
    }

    @Test(arguments: ["putty_v2_ed25519_enc", "putty_v3_ed25519_enc", "putty_v3_rsa_argon2d"])
    func wrongPassphrase(_ fixture: String) throws {
        let text = try KeyFixtures.text(fixture + ".ppk")
        expectKeyFileError(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: text, passphrase: "correct horse!") }
        expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(fileContents: text, passphrase: "") }
        expectKeyFileError(.passphraseRequired) { _ = try SSHPrivateKey(fileContents: text) }
    }

    /// An unencrypted file ignores the passphrase, as PuTTY does.
    @Test func passphraseIgnoredWhenUnencrypted() throws {
        let key = try SSHPrivateKey(path: KeyFixtures.path("putty_v3_dsa.ppk"), passphrase: "anything")
        #expect(key.type == .dsa)
    }

    /// Any change to an unencrypted file's authenticated fields fails its MAC.
    @Test(arguments: ["putty_v2_ecdsa384", "putty_v3_ecdsa384"])
    func tamperedUnencryptedFile(_ fixture: String) throws {
        let text = try KeyFixtures.text(fixture + ".ppk")
        for (from, to) in [("Comment: putty ecdsa384", "Comment: putty ecdsa385"), ("Private-MAC: ", "Private-MAC: 0")]
        {
            var altered = text.replacingOccurrences(of: from, with: to)
            if from.hasPrefix("Private-MAC") {
                // Replace the MAC's first digit rather than lengthen it.
                altered = text.replacingOccurrences(of: "Private-MAC: ", with: "Private-MAC: X")
                let macLine = try #require(altered.split(separator: "\n").last)
                let digits = macLine.dropFirst("Private-MAC: X".count)
                let first = digits.first == "0" ? "1" : "0"
                altered = altered.replacingOccurrences(
                    of: String(macLine), with: "Private-MAC: " + first + digits.dropFirst())
            }
            #expect(altered != text)
            expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: altered) }
        }
    }

    @Test func unsupportedHeaders() throws {
        let v3 = try KeyFixtures.text("putty_v3_ed25519.ppk")
        let encrypted = try KeyFixtures.text("putty_v3_ed25519_enc.ppk")
        let cases: [(String, String, String, KeyFileError.Code)] = [
            (v3, "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File-3: ssh-ed448", .unsupportedKeyType),
            (
                v3, "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File-3: ssh-ed448-cert-v01@openssh.com",
                .unsupportedKeyType
            ),
            // The MAC covers the algorithm name.
            (
                v3, "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY-User-Key-File-3: ssh-ed25519-cert-v01@openssh.com",
                .corrupt
            ),
            (v3, "PuTTY-User-Key-File-3:", "PuTTY-User-Key-File-4:", .unsupportedFormat),
            (v3, "PuTTY-User-Key-File-3:", "PuTTY-User-Key-File-1:", .unsupportedFormat),
            (v3, "Encryption: none", "Encryption: aes128-cbc", .unsupportedCipher),
            (encrypted, "Key-Derivation: Argon2id", "Key-Derivation: scrypt", .unsupportedKDF),
            (encrypted, "Argon2-Memory: 8192", "Argon2-Memory: 99999999", .kdfRoundsOutOfRange),
            (encrypted, "Argon2-Memory: 8192", "Argon2-Memory: 0", .kdfRoundsOutOfRange),
            (encrypted, "Argon2-Passes: 2", "Argon2-Passes: 1000000", .kdfRoundsOutOfRange),
            (encrypted, "Argon2-Parallelism: 1", "Argon2-Parallelism: 0", .kdfRoundsOutOfRange),
            (encrypted, "Argon2-Memory: 8192", "Argon2-Memory: 4", .unsupportedKDF),
            (encrypted, "Argon2-Memory: 8192", "Argon2-Memory: -8192", .corrupt),
            (encrypted, "Argon2-Salt: ", "Argon2-Salt: zz", .corrupt),
            (v3, "Public-Lines: 2", "Public-Lines: 99999999999", .corrupt),
            (v3, "Public-Lines: 2", "Public-Lines: 3", .corrupt),
            (v3, "Private-Lines: 1", "Private-Lines: 0", .corrupt),
            (v3, "Comment:", "Remark:", .corrupt),
            (v3, "Private-MAC:", "Private-Hash:", .corrupt),
        ]
        for (text, from, to, code) in cases {
            let altered = text.replacingOccurrences(of: from, with: to)
            #expect(altered != text, "\(from) not found")
            expectKeyFileError(code) {
                _ = try SSHPrivateKey(fileContents: altered, passphrase: KeyFixtures.passphrase)
            }
        }
    }

    /// Every truncation of a file, by lines and by characters, throws a typed error and never traps.
    @Test(arguments: ["putty_v3_ed25519", "putty_v2_rsa", "putty_v2_ecdsa256_enc"])
    func truncations(_ fixture: String) throws {
        let text = try KeyFixtures.text(fixture + ".ppk")
        let passphrase = fixture.hasSuffix("_enc") ? KeyFixtures.passphrase : nil
        let lines = text.split(separator: "\n")
        for count in 0..<lines.count {
            let prefix = lines.prefix(count).joined(separator: "\n") + "\n"
            #expect(throws: KeyFileError.self) { try SSHPrivateKey(fileContents: prefix, passphrase: passphrase) }
        }
        let characters = Array(text)
        for length in stride(from: 0, to: characters.count - 2, by: fixture.contains("rsa") ? 7 : 1) {
            let prefix = String(characters.prefix(length))
            #expect(throws: KeyFileError.self) { try SSHPrivateKey(fileContents: prefix, passphrase: passphrase) }
        }
        // CRLF line ends and a missing final newline are fine.
        _ = try SSHPrivateKey(fileContents: text.replacingOccurrences(of: "\n", with: "\r\n"), passphrase: passphrase)
        _ = try SSHPrivateKey(fileContents: String(text.dropLast()), passphrase: passphrase)
    }

    /// Every single-character change to a file throws a typed error: the MAC covers every field.
    @Test(arguments: ["putty_v3_ecdsa256", "putty_v2_dsa"])
    func everyCharacterChangeIsCaught(_ fixture: String) throws {
        let characters = Array(try KeyFixtures.text(fixture + ".ppk"))
        for index in characters.indices where characters[index] != "\n" {
            var changed = characters
            changed[index] = characters[index] == "0" ? "1" : "0"
            #expect(throws: KeyFileError.self, "position \(index)") {
                try SSHPrivateKey(fileContents: String(changed))
            }
        }
    }

    /// A file whose public blob belongs to another key, with a valid MAC, is refused.
    @Test(arguments: [2, 3])
    func mismatchedPublicAndPrivateParts(_ version: Int) throws {
        let key = try SSHPrivateKey(path: KeyFixtures.path("putty_v3_ecdsa256.ppk"))
        let other = try SSHPrivateKey.generate(.ecdsaP256)
        let text = try key.puttyFileContents(parameters: PuTTYKeyFileParameters(version: version))
        var file = try PuTTYKeyFormat.parse(text)
        file.publicBlob = other.publicKey.blob
        let keys = try PuTTYKeyFormat.derive(version: version, passphrase: nil, derivation: nil)
        file.mac = try PuTTYKeyFormat.mac(of: file, privateBlob: file.privateBlob, key: keys.mac)
        let forged = PuTTYKeyFormat.encode(file)
        expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: forged) }

        // The header's algorithm must match the public blob's too.
        file.publicBlob = try SSHPrivateKey.generate(.ecdsaP384).publicKey.blob
        file.mac = try PuTTYKeyFormat.mac(of: file, privateBlob: file.privateBlob, key: keys.mac)
        expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: PuTTYKeyFormat.encode(file)) }
        expectKeyFileError(.corrupt) { _ = try SSHPublicKey.fromPrivateKeyFile(PuTTYKeyFormat.encode(file)) }
    }

    /// puttygen 0.78 stores a certificate as the public blob of a `*-cert-v01@openssh.com` file; it
    /// reads as the plain key, and the certificate comes with the public key.
    @Test(arguments: [("putty_v3_ed25519_cert", nil), ("putty_v2_ed25519_cert_enc", KeyFixtures.passphrase)])
    func certificateBearingFiles(_ fixture: String, _ passphrase: String?) throws {
        let text = try KeyFixtures.text(fixture + ".ppk")
        let key = try SSHPrivateKey(fileContents: text, passphrase: passphrase)
        let plain = try SSHPrivateKey(path: KeyFixtures.path("putty_ed25519.openssh"))
        #expect(key.publicKey == plain.publicKey)
        #expect(key.comment == "putty ed25519")
        let clear = try #require(try SSHPublicKey.fromPrivateKeyFile(text))
        let certificate = try #require(clear.key.certificate)
        #expect(certificate.key == plain.publicKey)
        #expect(certificate.keyID == "putty cert")
        #expect(certificate.principals == ["alice"])
        let authority = try SSHPublicKey.parse(fileContents: try KeyFixtures.text("ca_ed25519.pub")).key
        #expect(certificate.signatureKey == authority)
        if passphrase != nil {
            expectKeyFileError(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: text, passphrase: "no") }
        }
    }

    /// A certificate for another key, with a valid MAC, is refused.
    @Test func certificateForAnotherKey() throws {
        let key = try SSHPrivateKey(path: KeyFixtures.path("putty_v3_ecdsa256.ppk"))
        var file = try PuTTYKeyFormat.parse(try key.puttyFileContents())
        let certificate = try SSHPublicKey.parse(fileContents: try KeyFixtures.text("cert_user_ecdsa256-cert.pub")).key
        file.algorithm = certificate.keyType
        file.publicBlob = certificate.blob
        let keys = try PuTTYKeyFormat.derive(version: 3, passphrase: nil, derivation: nil)
        file.mac = try PuTTYKeyFormat.mac(of: file, privateBlob: file.privateBlob, key: keys.mac)
        let forged = PuTTYKeyFormat.encode(file)
        #expect(try SSHPublicKey.fromPrivateKeyFile(forged)?.key == certificate)
        expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: forged) }
    }

    struct WriteCase: Sendable, CustomTestStringConvertible {
        var type: SSHKeyType
        var parameters: PuTTYKeyFileParameters
        var passphrase: String?
        var testDescription: String {
            let kdf =
                parameters.version == 3
                ? " \(parameters.variant) \(parameters.memoryKiB) KiB × \(parameters.passes)"
                    + " × \(parameters.parallelism)" : ""
            return "\(type) v\(parameters.version)\(passphrase == nil ? " plain" : kdf)"
        }
    }

    static let writeCases: [WriteCase] =
        SSHKeyType.allCases.flatMap { type in
            [
                WriteCase(type: type, parameters: .version2, passphrase: nil),
                WriteCase(type: type, parameters: .version2, passphrase: "pass phrase"),
                WriteCase(type: type, parameters: PuTTYKeyFileParameters(), passphrase: nil),
                WriteCase(type: type, parameters: PuTTYKeyFileParameters(memoryKiB: 512, passes: 2), passphrase: "pw"),
            ]
        } + [
            WriteCase(
                type: .ed25519,
                parameters: PuTTYKeyFileParameters(variant: .argon2i, memoryKiB: 256, passes: 3, parallelism: 3),
                passphrase: "pw"),
            WriteCase(
                type: .ed25519,
                parameters: PuTTYKeyFileParameters(variant: .argon2d, memoryKiB: 64, passes: 1, parallelism: 8),
                passphrase: "pw"),
        ]

    @Test(arguments: writeCases)
    func writtenFilesReadBack(_ testCase: WriteCase) throws {
        var key = try GeneratedKeys.key(testCase.type)
        key.comment = "written by us"
        let text = try key.puttyFileContents(parameters: testCase.parameters, passphrase: testCase.passphrase)
        #expect(text.hasPrefix("PuTTY-User-Key-File-\(testCase.parameters.version): \(testCase.type.sshName)\n"))
        #expect(text.contains("Key-Derivation:") == (testCase.parameters.version == 3 && testCase.passphrase != nil))
        let reread = try SSHPrivateKey(fileContents: text, passphrase: testCase.passphrase)
        #expect(reread.publicKey == key.publicKey)
        #expect(reread.comment == "written by us")
        #expect(try reread.privateKeyBlob().unsafeArray == key.privateKeyBlob().unsafeArray)
        if testCase.passphrase != nil {
            expectKeyFileError(.wrongPassphrase) { _ = try SSHPrivateKey(fileContents: text, passphrase: "nope") }
        }
    }

    @Test(.enabled(if: PuTTYgen.available, PuTTYgen.missing), arguments: writeCases)
    func writtenFilesReadByPuTTYgen(_ testCase: WriteCase) throws {
        var key = try GeneratedKeys.key(testCase.type)
        key.comment = "written by us"
        let text = try key.puttyFileContents(parameters: testCase.parameters, passphrase: testCase.passphrase)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("key.ppk").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try PuTTYgen.expectReads(
            path, passphrase: testCase.passphrase, publicKey: key.publicKey, comment: "written by us")
    }

    /// What we write for a file puttygen wrote holds the same header lines but the MAC, salt and
    /// ciphertext.
    @Test func writerLayoutMatchesPuTTYgen() throws {
        for fixture in ["putty_v2_rsa", "putty_v3_rsa", "putty_v2_ecdsa521"] {
            let text = try KeyFixtures.text(fixture + ".ppk")
            let key = try SSHPrivateKey(fileContents: text)
            let version = fixture.hasPrefix("putty_v2") ? 2 : 3
            #expect(try key.puttyFileContents(parameters: PuTTYKeyFileParameters(version: version)) == text)
        }
    }

    @Test func writesToDiskPrivately() throws {
        let key = try GeneratedKeys.key(.ecdsaP384)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("id.ppk").path
        let parameters = PuTTYKeyFileParameters(variant: .argon2i, memoryKiB: 128, passes: 1)
        try key.write(to: path, puttyParameters: parameters, passphrase: SecureBytes("pw".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("Key-Derivation: Argon2i\nArgon2-Memory: 128\nArgon2-Passes: 1\n"))
        #expect(try SSHPrivateKey(path: path, passphrase: SecureBytes("pw".utf8)).publicKey == key.publicKey)
        expectKeyFileError(.kdfRoundsOutOfRange) {
            try key.write(to: path, puttyParameters: PuTTYKeyFileParameters(passes: 0), passphrase: "pw")
        }
        expectKeyFileError(.unsupportedFormat) {
            try key.write(to: path, puttyParameters: PuTTYKeyFileParameters(version: 4), passphrase: "pw")
        }
    }

    @Test func multiLineCommentsAreRefused() throws {
        var key = try GeneratedKeys.key(.ed25519)
        key.comment = "two\nlines"
        expectKeyFileError(.unsupportedFormat) { _ = try key.fileContents(format: .putty) }
    }

}
