import Foundation
import SSHAuth
import SSHCrypto
import SSHTestSupport
import Testing

@Suite("known_hosts parsing")
struct KnownHostsParsingTests {
    @Test func everyLineKindIsRead() throws {
        let ed25519 = try TestKeys.make()
        let ecdsa = try TestKeys.make(.ecdsaP256)
        let text = """
            # comment

            host.example,10.0.0.5 \(ed25519.openSSHLine) a comment
            \t [host.example]:2222\t\(ecdsa.openSSHLine)
            @cert-authority *.example \(ed25519.openSSHLine)
            @revoked * \(ecdsa.openSSHLine)
            |1|AAECAwQFBgcICQoLDA0ODxAREhM=|AAECAwQFBgcICQoLDA0ODxAREhM= \(ed25519.openSSHLine)

            """
        let hostKeys = HostKeys(text: text)
        #expect(hostKeys.lines.count == 7)
        #expect(hostKeys.lines[0].content == .comment)
        #expect(hostKeys.lines[1].content == .blank)
        #expect(hostKeys.lineErrors.isEmpty)
        let entries = hostKeys.entries
        #expect(entries.count == 5)
        #expect(entries[0].names == .patterns(["host.example", "10.0.0.5"]))
        #expect(entries[0].key == ed25519)
        #expect(entries[0].comment == "a comment")
        #expect(entries[0].marker == nil)
        #expect(entries[1].names == .patterns(["[host.example]:2222"]))
        #expect(entries[1].key == ecdsa)
        #expect(entries[2].marker == .certAuthority)
        #expect(entries[3].marker == .revoked)
        guard case .hashed(let hashed) = entries[4].names else {
            Issue.record("not hashed: \(entries[4].names)")
            return
        }
        #expect(hashed.salt == Array(0..<20))
        #expect(hashed.description == "|1|AAECAwQFBgcICQoLDA0ODxAREhM=|AAECAwQFBgcICQoLDA0ODxAREhM=")
    }

    @Test func roundTripKeepsEveryByte() throws {
        let key = try TestKeys.make()
        let samples: [String] = [
            "",
            "\n",
            "# only a comment",
            "host \(key.openSSHLine)\n",
            "host \(key.openSSHLine)",
            "# c\r\nhost \(key.openSSHLine)\r\n\r\n",
            "  # indented\n\n\nnot a valid line\n@bogus host \(key.openSSHLine)\nhost \(key.openSSHLine)  trailing  \n",
        ]
        for sample in samples {
            let hostKeys = HostKeys(text: sample)
            #expect(hostKeys.bytes == Array(sample.utf8), "\(sample.debugDescription)")
        }
        var latin1 = Array("# caf".utf8) + [0xE9] + Array("\nhost ".utf8) + [0xFF, 0xFE] + Array(" x\n".utf8)
        latin1 += Array("ok \(key.openSSHLine)\n".utf8)
        let hostKeys = HostKeys(bytes: latin1)
        #expect(hostKeys.bytes == latin1)
        #expect(hostKeys.lines[0].content == .comment)
        #expect(hostKeys.lineErrors == [KnownHostsLineError(line: 2, error: .notUTF8)])
        #expect(hostKeys.entries.count == 1)
    }

    @Test func crlfLinesParse() throws {
        let key = try TestKeys.make()
        let hostKeys = HostKeys(text: "host \(key.openSSHLine)\r\nother \(key.openSSHLine) note\r\n")
        #expect(hostKeys.lineErrors.isEmpty)
        #expect(hostKeys.entries.map(\.comment) == ["", "note"])
        #expect(hostKeys.check(key, host: "host") == .known)
    }

    @Test func malformedLinesGiveTypedErrors() throws {
        let key = try TestKeys.make()
        let fields = key.openSSHLine.split(separator: " ")
        let unknownBlob = Base64Text.encode([0, 0, 0, 7] + Array("ssh-foo".utf8) + [0, 0, 0, 1, 0])
        let cases: [(String, KnownHostsError)] = [
            ("host ssh-ed25519 !!!!not-base64!!!!", .invalidBase64),
            ("host ssh-foo \(unknownBlob)", .unknownKeyType("ssh-foo")),
            ("host", .missingKey),
            ("host   ", .missingKey),
            ("host # a comment where the key should be", .missingKey),
            ("host ssh-ed25519", .missingKey),
            (
                "host ecdsa-sha2-nistp256 \(fields[1])",
                .keyTypeMismatch(declared: "ecdsa-sha2-nistp256", actual: "ssh-ed25519")
            ),
            ("host ssh-ed25519 \(fields[1].dropLast(8))", .invalidKey("")),
            ("host ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA==", .invalidKey("")),
            ("@bogus host \(key.openSSHLine)", .invalidMarker("@bogus")),
            ("@revoked", .invalidMarker("@revoked")),
            ("@revoked @cert-authority host \(key.openSSHLine)", .invalidMarker("@revoked")),
            ("|1|short|hash \(key.openSSHLine)", .invalidHashedName("|1|short|hash")),
            (
                "|2|AAECAwQFBgcICQoLDA0ODxAREhM=|AAECAwQFBgcICQoLDA0ODxAREhM= \(key.openSSHLine)",
                .invalidHashedName("|2|AAECAwQFBgcICQoLDA0ODxAREhM=|AAECAwQFBgcICQoLDA0ODxAREhM=")
            ),
            ("host 1024 35 1234567890", .invalidBase64),
        ]
        let text = cases.map(\.0).joined(separator: "\n") + "\n"
        let hostKeys = HostKeys(text: text)
        #expect(hostKeys.entries.isEmpty)
        #expect(hostKeys.bytes == Array(text.utf8))
        let errors = hostKeys.lineErrors
        #expect(errors.map(\.line) == Array(1...cases.count))
        for (error, (line, expected)) in zip(errors, cases) {
            if case .invalidKey = expected {
                guard case .invalidKey = error.error else {
                    Issue.record("\(line): \(error)")
                    continue
                }
            } else {
                #expect(error.error == expected, "\(line)")
            }
            #expect(!error.description.isEmpty)
        }
        #expect(throws: KnownHostsError.invalidBase64) { try KnownHostEntry(line: cases[0].0) }
        #expect(throws: KnownHostsError.notAnEntry) { try KnownHostEntry(line: "  # comment") }
        #expect(throws: KnownHostsError.notAnEntry) { try KnownHostEntry(line: "") }
    }

    @Test func hugeLinesAreKeptButNotParsed() throws {
        let key = try TestKeys.make()
        let huge = String(repeating: "h", count: HostKeys.maximumLineLength) + " " + key.openSSHLine
        let text = "# before\n\(huge)\nhost \(key.openSSHLine)\n"
        let hostKeys = HostKeys(text: text)
        #expect(hostKeys.lineErrors == [KnownHostsLineError(line: 2, error: .lineTooLong(length: huge.utf8.count))])
        #expect(hostKeys.bytes == Array(text.utf8))
        #expect(hostKeys.check(key, host: "host") == .known)
        let atLimit = String(repeating: "h", count: HostKeys.maximumLineLength - key.openSSHLine.utf8.count - 1)
        #expect(HostKeys(text: atLimit + " " + key.openSSHLine).lineErrors.isEmpty)
    }

    @Test func damagedFilesNeverTrap() throws {
        let key = try TestKeys.make(.ecdsaP256)
        let valid = Array(
            """
            # header
            a.example,b.example \(key.openSSHLine) note
            @cert-authority *.example \(key.openSSHLine)
            |1|AAECAwQFBgcICQoLDA0ODxAREhM=|AAECAwQFBgcICQoLDA0ODxAREhM= \(key.openSSHLine)

            """.utf8)
        var random = CountingRandom(counter: 7)
        var generator = SeededRandom(seed: 0x6B6E_6F77_6E5F_686F)
        let alphabet = Array(" \t\n\r@|#,!*?[]:AZaz09+/=".utf8) + [0x00, 0x80, 0xFF]
        for round in 0..<400 {
            var bytes = valid
            for _ in 0..<(1 + round % 6) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch round % 3 {
                case 0: bytes[position] = alphabet.randomElement(using: &generator) ?? 0
                case 1: bytes.remove(at: position)
                default: bytes.insert(random.bytes(1)[0], at: position)
                }
            }
            let hostKeys = HostKeys(bytes: bytes)
            #expect(hostKeys.bytes == bytes)
            _ = hostKeys.check(key, host: "a.example", ipAddress: "10.0.0.1")
            _ = hostKeys.matches(host: "x.example", port: 2222)
        }
    }

    @Test func fileErrorsAreTyped() throws {
        let directory = try Peers.temporaryDirectory("paramiko-kh").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: KnownHostsError.fileNotFound(path: directory + "/missing")) {
            try HostKeys(contentsOfFile: directory + "/missing")
        }
        // At the limit the file is read (its one long line kept verbatim); one byte more and it is not.
        let big = directory + "/big"
        let line = Array("# a comment as long as the whole file allows\n".utf8)
        var contents = [UInt8](repeating: UInt8(ascii: "x"), count: HostKeys.maximumFileSize)
        contents.replaceSubrange(0..<line.count, with: line)
        try Data(contents).write(to: URL(fileURLWithPath: big))
        let atLimit = try HostKeys(contentsOfFile: big)
        #expect(atLimit.lines.count == 2)
        #expect(atLimit.lineErrors.map(\.error) == [.lineTooLong(length: HostKeys.maximumFileSize - line.count)])
        #expect(atLimit.bytes == contents)
        let handle = try #require(FileHandle(forWritingAtPath: big))
        try handle.truncate(atOffset: UInt64(HostKeys.maximumFileSize + 1))
        try handle.close()
        #expect(throws: KnownHostsError.fileTooLarge(path: big, size: HostKeys.maximumFileSize + 1)) {
            try HostKeys(contentsOfFile: big)
        }
        let error = #expect(throws: KnownHostsError.self) { try HostKeys(contentsOfFile: directory) }
        guard case .unreadable(let path, _) = error else {
            Issue.record("reading a directory: \(String(describing: error))")
            return
        }
        #expect(path == directory)
        let unwritable = #expect(throws: KnownHostsError.self) {
            try HostKeys().write(toFile: directory + "/no/such/dir/known_hosts")
        }
        guard case .unwritable = unwritable else {
            Issue.record("writing into a missing directory: \(String(describing: unwritable))")
            return
        }
    }
}

/// Base64 for building test lines (Foundation's, so the tests do not lean on the code under test).
enum Base64Text {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func decode(_ text: some StringProtocol) -> [UInt8]? { Data(base64Encoded: String(text)).map(Array.init) }
}
