import Foundation
import NIOCore
import SSHCrypto
import SSHWire
import Testing

/// Bad input gives typed errors, never a crash.
@Suite("Malformed keys")
struct MalformedKeyTests {
    static func openSSHBody(_ name: String) throws -> [UInt8] {
        let text = try KeyFixtures.text(name)
        let base64 = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return try #require(Data(base64Encoded: base64)).map { $0 }
    }

    static func armor(_ body: [UInt8]) -> String {
        "-----BEGIN OPENSSH PRIVATE KEY-----\n" + Data(body).base64EncodedString(options: [.lineLength64Characters])
            + "\n-----END OPENSSH PRIVATE KEY-----\n"
    }

    @Test func everyTruncationThrows() throws {
        let body = try Self.openSSHBody("openssh_ed25519")
        for length in 0..<body.count {
            #expect(throws: KeyFileError.self) {
                _ = try SSHPrivateKey(fileContents: Self.armor(Array(body.prefix(length))))
            }
        }
    }

    @Test func everyTruncationOfAnEncryptedKeyThrows() throws {
        let body = try Self.openSSHBody("openssh_ecdsa256_enc")
        for length in stride(from: 0, to: body.count, by: 7) {
            #expect(throws: KeyFileError.self) {
                _ = try SSHPrivateKey(fileContents: Self.armor(Array(body.prefix(length))), passphrase: "x")
            }
        }
    }

    @Test func garbage() {
        expectKeyFileError(.corrupt) {
            _ = try SSHPrivateKey(
                fileContents: "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n-----END OPENSSH PRIVATE KEY-----\n")
        }
        expectKeyFileError(.corrupt) {
            _ = try SSHPrivateKey(fileContents: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n")
        }
        expectKeyFileError(.unsupportedFormat) { _ = try SSHPrivateKey(fileContents: "hello") }
        expectKeyFileError(.unsupportedFormat) {
            _ = try SSHPrivateKey(fileContents: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        }
        expectKeyFileError(.corrupt) {
            _ = try SSHPrivateKey(
                fileContents: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n")
        }
        expectKeyFileError(.corrupt) { _ = try SSHPublicKey(openSSHLine: "ssh-ed25519 AAAA%%%") }
        expectKeyFileError(.corrupt) { _ = try SSHPublicKey(openSSHLine: "ssh-ed25519") }
        expectKeyFileError(.unsupportedKeyType) { _ = try SSHPublicKey(openSSHLine: "ssh-foo AAAAB3NzaC1mb28=") }
    }

    /// Builds an openssh-key-v1 body with the given header fields around a fixture's key.
    static func body(cipher: String, kdf: String, options: [UInt8], section: [UInt8] = Array(repeating: 0, count: 16))
        -> [UInt8]
    {
        var buffer = ByteBuffer()
        buffer.writeBytes(Array("openssh-key-v1".utf8) + [0])
        buffer.writeSSHString(cipher)
        buffer.writeSSHString(kdf)
        buffer.writeSSHString(options)
        buffer.writeSSHUInt32(1)
        buffer.writeSSHString([UInt8](repeating: 1, count: 8))
        buffer.writeSSHString(section)
        return Array(buffer.readableBytesView)
    }

    static func bcryptOptions(rounds: UInt32) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSSHString([UInt8](repeating: 7, count: 16))
        buffer.writeSSHUInt32(rounds)
        return Array(buffer.readableBytesView)
    }

    @Test func unknownCipherAndKDF() {
        expectKeyFileError(.unsupportedCipher) {
            _ = try SSHPrivateKey(
                fileContents: Self.armor(
                    Self.body(cipher: "blowfish-cbc", kdf: "bcrypt", options: Self.bcryptOptions(rounds: 16))),
                passphrase: "x")
        }
        expectKeyFileError(.unsupportedKDF) {
            _ = try SSHPrivateKey(
                fileContents: Self.armor(Self.body(cipher: "aes256-ctr", kdf: "scrypt", options: [])), passphrase: "x")
        }
    }

    @Test(arguments: [UInt32(0), 10_001, 1_000_000, UInt32.max])
    func absurdRounds(_ rounds: UInt32) {
        expectKeyFileError(.kdfRoundsOutOfRange) {
            _ = try SSHPrivateKey(
                fileContents: Self.armor(
                    Self.body(cipher: "aes256-ctr", kdf: "bcrypt", options: Self.bcryptOptions(rounds: rounds))),
                passphrase: "x")
        }
    }

    @Test func badCheckIntsInAPlainKey() throws {
        var body = try Self.openSSHBody("openssh_ed25519")
        // The first check-int follows the public blob and the section length.
        var buffer = ByteBuffer(bytes: body)
        buffer.moveReaderIndex(forwardBy: 15)
        for _ in 0..<3 { _ = try buffer.readSSHString() }
        _ = buffer.readInteger(as: UInt32.self)
        _ = try buffer.readSSHString()
        let checkOffset = buffer.readerIndex + 4
        body[checkOffset] ^= 0xFF
        expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: Self.armor(body)) }
    }

    @Test func publicBlobTruncationsThrow() throws {
        for name in ["openssh_ed25519", "openssh_ecdsa521", "openssh_rsa", "openssh_dsa", "cert_user_ecdsa256-cert"] {
            let key = try SSHPublicKey(openSSHLine: try KeyFixtures.text(name + ".pub"))
            for length in 0..<key.blob.count {
                #expect(throws: CryptoError.self) { _ = try SSHPublicKey(blob: Array(key.blob.prefix(length))) }
            }
            #expect(throws: CryptoError.self) { _ = try SSHPublicKey(blob: key.blob + [0]) }
        }
    }

    @Test func ecdsaPointOffTheCurveIsRefused() throws {
        let key = try SSHPublicKey(openSSHLine: try KeyFixtures.text("openssh_ecdsa256.pub"))
        var blob = key.blob
        blob[blob.count - 1] ^= 1
        #expect(throws: CryptoError.self) { _ = try SSHPublicKey(blob: blob) }
    }

    @Test(arguments: ["openssh_ecdsa256", "openssh_rsa", "openssh_dsa"])
    func mismatchedPrivateHalfIsRefused(_ name: String) throws {
        var body = try Self.openSSHBody(name)
        let comment = Array("fixture \(name.dropFirst("openssh_".count))".utf8)
        let start = try #require(
            (0...(body.count - comment.count)).first { Array(body[$0..<($0 + comment.count)]) == comment })
        // The last byte of the last private mpint sits just before the comment's length.
        body[start - 5] ^= 0x01
        expectKeyFileError(.corrupt) { _ = try SSHPrivateKey(fileContents: Self.armor(body)) }
    }

    static func rsaBlob(modulusBytes: Int, exponent: [UInt8] = [0x01, 0x00, 0x01]) -> [UInt8] {
        var buffer = ByteBuffer()
        buffer.writeSSHString("ssh-rsa")
        buffer.writeSSHMPInt(unsignedBigEndian: exponent)
        buffer.writeSSHMPInt(unsignedBigEndian: [0xC3] + [UInt8](repeating: 0x5A, count: modulusBytes - 2) + [0x0B])
        return Array(buffer.readableBytesView)
    }

    @Test func rsaModulusLimits() throws {
        #expect(throws: CryptoError.self) { _ = try SSHPublicKey(blob: Self.rsaBlob(modulusBytes: 2049)) }
        // A huge public exponent would make every verification slow: refused.
        let hugeExponent = [UInt8](repeating: 0xFF, count: 9)
        #expect(throws: CryptoError.self) {
            _ = try SSHPublicKey(blob: Self.rsaBlob(modulusBytes: 256, exponent: hugeExponent))
        }
        _ = try SSHPublicKey(blob: Self.rsaBlob(modulusBytes: 256, exponent: [UInt8](repeating: 0xFF, count: 8)))
        let largest = try SSHPublicKey(blob: Self.rsaBlob(modulusBytes: 2048))
        #expect(largest.bits == 16384)
        let small = try SSHPublicKey(blob: Self.rsaBlob(modulusBytes: 96))
        #expect(small.bits == 768)
        var signature = ByteBuffer()
        signature.writeSSHString("rsa-sha2-256")
        signature.writeSSHString([UInt8](repeating: 1, count: 96))
        #expect(!small.isValidSignature(Array(signature.readableBytesView), for: [1]))
    }

    @Test func oversizedKeyFilesAreNotRead() throws {
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("huge").path
        try Data(repeating: 0x41, count: (1 << 20) + 1).write(to: URL(fileURLWithPath: path))
        expectKeyFileError(.io) { _ = try SSHPrivateKey(path: path) }
        expectKeyFileError(.io) { _ = try SSHPublicKey(path: path) }
    }

    /// A damaged encrypted PEM or PKCS#8 file is `corrupt`, not a wrong passphrase.
    @Test(arguments: ["pkcs8_rsa_enc", "pkcs8_ed25519_enc", "pem_rsa_enc", "pem_ecdsa521_enc"])
    func damagedEncryptedPEMIsCorrupt(_ name: String) throws {
        let lines = try KeyFixtures.text(name).split(separator: "\n").map(String.init)
        let headers = lines.filter { $0.contains(":") }
        let base64 = lines.filter { !$0.hasPrefix("-----") && !$0.contains(":") }.joined()
        let body = try #require(Data(base64Encoded: base64))
        let truncated = body.prefix(body.count - 3)
        let armored = [lines[0]] + headers + (headers.isEmpty ? [] : [""])
            + [truncated.base64EncodedString(options: .lineLength64Characters), lines[lines.count - 1]]
        expectKeyFileError(.corrupt) {
            _ = try SSHPrivateKey(fileContents: armored.joined(separator: "\n") + "\n", passphrase: "anything")
        }
    }
}
