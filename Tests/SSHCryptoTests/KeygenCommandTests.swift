import Foundation
import NIOCore
import SSHCrypto
import SSHWire
import Testing

/// `paramiko keygen`, run as a subprocess from the build directory, against ssh-keygen.
@Suite("paramiko keygen")
struct KeygenCommandTests {
    /// The `paramiko` executable built beside this test bundle, if the build made one.
    static let paramiko: String? = {
        var directory = URL(fileURLWithPath: CommandLine.arguments.first ?? "").deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("paramiko").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return nil
    }()

    static var runnable: Bool { paramiko != nil && ExternalTool.sshKeygen != nil }

    /// Both executables and a fresh temporary directory, which the caller removes.
    static func workspace() throws -> (paramiko: String, sshKeygen: String, directory: URL) {
        (try #require(paramiko), try #require(ExternalTool.sshKeygen), try KeyFixtures.makeTemporaryDirectory())
    }

    /// Randomart cells visited fifteen times or more: OpenSSH stops counting at `^`, so `S` and `E`
    /// mark only the start and the end. Two thousand random keys, listed by ssh-keygen from one
    /// file, must each be drawn as ssh-keygen draws them; some walks reach the cap.
    @Test(.enabled(if: ExternalTool.sshKeygen != nil))
    func randomArtMatchesSshKeygenForManyKeys() throws {
        let sshKeygen = try #require(ExternalTool.sshKeygen)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var random = SystemRandom()
        var keys: [SSHPublicKey] = []
        for _ in 0..<2000 {
            var blob = ByteBuffer()
            blob.writeSSHString("ssh-ed25519")
            blob.writeSSHString(random.bytes(32))
            keys.append(try SSHPublicKey(blob: Array(blob.readableBytesView)))
        }
        let file = directory.appendingPathComponent("keys.pub").path
        try keys.map { $0.openSSHLine + "\n" }.joined().write(toFile: file, atomically: true, encoding: .utf8)
        let theirs = try ExternalTool.run(sshKeygen, ["-lv", "-f", file]).stdout.split(separator: "\n")
        // Each key: its fingerprint line, then eleven lines of picture.
        try #require(theirs.count == keys.count * 12)
        for (index, key) in keys.enumerated() {
            let drawing = theirs[(index * 12 + 1)..<(index * 12 + 12)].joined(separator: "\n")
            #expect(drawing == key.randomArt(), "key \(index)")
        }
        #expect(keys.contains { $0.randomArt().contains("^") })
    }

    @Test(.enabled(if: runnable), arguments: [("ed25519", ""), ("ecdsa", "-b 384"), ("rsa", "-b 2048"), ("dsa", "")])
    func generateListAndExport(_ type: String, _ bits: String) throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("id_\(type)").path
        let sizeArguments = bits.split(separator: " ").map(String.init)
        let generated = try ExternalTool.run(
            paramiko,
            ["keygen", "-t", type] + sizeArguments + ["-N", KeyFixtures.passphrase, "-C", "cli test", "-f", file])
        #expect(generated.status == 0, "\(generated.stderr)")

        let ours = try ExternalTool.run(paramiko, ["keygen", "-l", "-f", file])
        let theirs = try ExternalTool.run(sshKeygen, ["-l", "-f", file])
        #expect(ours.stdout == theirs.stdout)
        let oursMD5 = try ExternalTool.run(paramiko, ["keygen", "-l", "-E", "md5", "-f", file])
        let theirsMD5 = try ExternalTool.run(sshKeygen, ["-l", "-E", "md5", "-f", file])
        #expect(oursMD5.stdout == theirsMD5.stdout)
        // The randomart of -v, drawn from either digest, line for line.
        for hash in ["sha256", "md5"] {
            let ours = try ExternalTool.run(paramiko, ["keygen", "-lv", "-E", hash, "-f", file + ".pub"])
            let theirs = try ExternalTool.run(sshKeygen, ["-lv", "-E", hash, "-f", file + ".pub"])
            #expect(ours.stdout.split(separator: "\n").count == 12)
            #expect(ours.stdout == theirs.stdout, "\(type) \(hash)")
        }

        let exported = try ExternalTool.run(paramiko, ["keygen", "-y", "-P", KeyFixtures.passphrase, "-f", file])
        let expected = try ExternalTool.run(sshKeygen, ["-y", "-P", KeyFixtures.passphrase, "-f", file])
        #expect(exported.status == 0 && expected.status == 0)
        #expect(exported.stdout == expected.stdout)

        let locked = try ExternalTool.run(paramiko, ["keygen", "-y", "-f", file])
        #expect(locked.status == 1)
        #expect(locked.stderr.contains("passphrase"))
        let wrong = try ExternalTool.run(paramiko, ["keygen", "-y", "-P", "wrong", "-f", file])
        #expect(wrong.status == 1)
    }

    /// `-m PuTTY` writes a .ppk that puttygen opens; `-p -m PuTTY2` converts an OpenSSH key; `-y`
    /// and `-l` read .ppk files, `-l` without the passphrase.
    @Test(.enabled(if: paramiko != nil && PuTTYgen.available, "needs the paramiko executable and puttygen"))
    func writeAndConvertPuTTYKeys() throws {
        let paramiko = try #require(Self.paramiko)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("id.ppk").path
        let generated = try ExternalTool.run(
            paramiko, ["keygen", "-t", "ecdsa", "-m", "PuTTY", "-N", "pw", "-a", "3", "-C", "cli ppk", "-f", file])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("\nArgon2-Passes: 3\n"))
        #expect(
            try String(contentsOfFile: file, encoding: .utf8).hasPrefix("PuTTY-User-Key-File-3: ecdsa-sha2-nistp256"))
        let key = try SSHPrivateKey(path: file, passphrase: "pw")
        #expect(key.comment == "cli ppk")
        try PuTTYgen.expectReads(file, passphrase: "pw", publicKey: key.publicKey, comment: "cli ppk")
        try FileManager.default.removeItem(atPath: file + ".pub")
        let listed = try ExternalTool.run(paramiko, ["keygen", "-l", "-f", file])
        #expect(listed.stdout.trimmedLine == key.publicKey.fingerprintLine(comment: "cli ppk"), "\(listed.stderr)")
        let printed = try ExternalTool.run(paramiko, ["keygen", "-y", "-P", "pw", "-f", file])
        #expect(printed.stdout.trimmedLine == key.publicKey.openSSHLine + " cli ppk")

        // An OpenSSH key converted in place to PPK version 2, then changed passphrase keeps it there.
        let converted = directory.appendingPathComponent("converted").path
        try FileManager.default.copyItem(atPath: KeyFixtures.path("openssh_rsa"), toPath: converted)
        let original = try SSHPrivateKey(path: converted)
        let toPuTTY = try ExternalTool.run(paramiko, ["keygen", "-p", "-N", "two", "-m", "PuTTY2", "-f", converted])
        #expect(toPuTTY.status == 0, "\(toPuTTY.stderr)")
        let again = try ExternalTool.run(paramiko, ["keygen", "-p", "-P", "two", "-N", "three", "-f", converted])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: converted, encoding: .utf8).hasPrefix("PuTTY-User-Key-File-2: ssh-rsa"))
        try PuTTYgen.expectReads(
            converted, passphrase: "three", publicKey: original.publicKey, comment: original.comment)
    }

    @Test(.enabled(if: runnable))
    func signCertificate() throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ca = directory.appendingPathComponent("ca").path
        let user = directory.appendingPathComponent("user").path
        _ = try ExternalTool.run(paramiko, ["keygen", "-t", "ed25519", "-N", "", "-f", ca])
        _ = try ExternalTool.run(paramiko, ["keygen", "-t", "ecdsa", "-N", "", "-f", user])
        let signed = try ExternalTool.run(
            paramiko,
            ["keygen", "-s", ca, "-I", "bob@example", "-n", "bob", "-V", "always:forever", "-z", "5", user + ".pub"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let listed = try ExternalTool.run(sshKeygen, ["-L", "-f", user + "-cert.pub"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("Key ID: \"bob@example\""))
        #expect(listed.stdout.contains("Valid: forever"))
    }

    @Test(.enabled(if: runnable))
    func exportAndImport() throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let publicFile = KeyFixtures.path("openssh_ecdsa256.pub")
        let expected = try KeyFixtures.text("openssh_ecdsa256.pub").keyFields
        for (format, importFormat) in [("RFC4716", "RFC4716"), ("PKCS8", "PKCS8")] {
            let exported = try ExternalTool.run(paramiko, ["keygen", "-e", "-m", format, "-f", publicFile])
            #expect(exported.status == 0, "\(exported.stderr)")
            let path = directory.appendingPathComponent("exported.\(format)").path
            try exported.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            let imported = try ExternalTool.run(sshKeygen, ["-i", "-m", importFormat, "-f", path])
            #expect(imported.stdout.keyFields == expected, "\(format): \(imported.stderr)")
            let theirs = directory.appendingPathComponent("theirs.\(format)").path
            let theirExport = try ExternalTool.run(sshKeygen, ["-e", "-m", format, "-f", publicFile])
            try theirExport.stdout.write(toFile: theirs, atomically: true, encoding: .utf8)
            let ours = try ExternalTool.run(paramiko, ["keygen", "-i", "-f", theirs])
            #expect(ours.stdout.keyFields == expected, "\(format): \(ours.stderr)")
        }
    }

    @Test(.enabled(if: runnable))
    func changePassphraseAndComment() throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("id").path
        _ = try ExternalTool.run(sshKeygen, ["-q", "-t", "ecdsa", "-N", "old pass", "-C", "before", "-f", file])
        let changed = try ExternalTool.run(
            paramiko, ["keygen", "-p", "-P", "old pass", "-N", "new pass", "-f", file])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try ExternalTool.run(sshKeygen, ["-y", "-P", "new pass", "-f", file]).status == 0)
        #expect(try ExternalTool.run(sshKeygen, ["-y", "-P", "old pass", "-f", file]).status != 0)
        let commented = try ExternalTool.run(
            paramiko, ["keygen", "-c", "-P", "new pass", "-C", "after", "-f", file])
        #expect(commented.status == 0, "\(commented.stderr)")
        try FileManager.default.removeItem(atPath: file + ".pub")
        let exported = try ExternalTool.run(sshKeygen, ["-y", "-P", "new pass", "-f", file])
        #expect(exported.stdout.trimmedLine.hasSuffix(" after"), "\(exported.stdout) \(exported.stderr)")
    }

    @Test(.enabled(if: runnable))
    func signaturesBothWays() throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        // ssh-keygen refuses a private key others can read; a checkout's fixtures are 0644.
        let key = directory.appendingPathComponent("signing_key").path
        try FileManager.default.copyItem(atPath: KeyFixtures.path("openssh_ecdsa384"), toPath: key)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let signers = directory.appendingPathComponent("allowed_signers").path
        let publicLine = try KeyFixtures.text("openssh_ecdsa384.pub").keyFields
        try "carol@example,*@ops namespaces=\"file,git\" \(publicLine)\n".write(
            toFile: signers, atomically: true, encoding: .utf8)
        let message = directory.appendingPathComponent("message").path
        try "release notes\n".write(toFile: message, atomically: true, encoding: .utf8)
        let messageData = try Data(contentsOf: URL(fileURLWithPath: message))

        let signed = try ExternalTool.run(paramiko, ["keygen", "-Y", "sign", "-f", key, "-n", "file", message])
        #expect(signed.status == 0, "\(signed.stderr)")
        let theirCheck = try ExternalTool.run(
            sshKeygen, ["-Y", "verify", "-f", signers, "-I", "carol@example", "-n", "file", "-s", message + ".sig"],
            stdin: messageData)
        #expect(theirCheck.status == 0, "\(theirCheck.stdout) \(theirCheck.stderr)")

        try FileManager.default.removeItem(atPath: message + ".sig")
        _ = try ExternalTool.run(sshKeygen, ["-Y", "sign", "-f", key, "-n", "git", message])
        let ourCheck = try ExternalTool.run(
            paramiko, ["keygen", "-Y", "verify", "-f", signers, "-I", "dave@ops", "-n", "git", "-s", message + ".sig"],
            stdin: messageData)
        #expect(ourCheck.status == 0, "\(ourCheck.stderr)")
        let wrongIdentity = try ExternalTool.run(
            paramiko,
            ["keygen", "-Y", "verify", "-f", signers, "-I", "eve@example", "-n", "git", "-s", message + ".sig"],
            stdin: messageData)
        #expect(wrongIdentity.status == 1)
        let wrongNamespace = try ExternalTool.run(
            paramiko,
            ["keygen", "-Y", "verify", "-f", signers, "-I", "dave@ops", "-n", "file", "-s", message + ".sig"],
            stdin: messageData)
        #expect(wrongNamespace.status == 1)
        let tampered = try ExternalTool.run(
            paramiko, ["keygen", "-Y", "verify", "-f", signers, "-I", "dave@ops", "-n", "git", "-s", message + ".sig"],
            stdin: messageData + Data([0x0A]))
        #expect(tampered.status == 1)
    }

    @Test(.enabled(if: runnable))
    func fingerprintsOfAnAuthorizedKeysFile() throws {
        let (paramiko, sshKeygen, directory) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("authorized_keys").path
        let lines = [
            "# deploy keys",
            try KeyFixtures.text("openssh_rsa.pub").trimmedLine,
            #"no-pty,command="uptime" "# + (try KeyFixtures.text("openssh_ed25519.pub").trimmedLine),
            try KeyFixtures.text("cert_host_rsa-cert.pub").trimmedLine,
        ]
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let ours = try ExternalTool.run(paramiko, ["keygen", "-l", "-f", path])
        let theirs = try ExternalTool.run(sshKeygen, ["-l", "-f", path])
        #expect(ours.stdout == theirs.stdout)
        #expect(ours.stdout.split(separator: "\n").count == 3)
    }
}
