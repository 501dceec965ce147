import Foundation
import NIOCore
import SSHCrypto
import SSHWire
import Testing

/// Keys generated once per test run; RSA at 2,048 bits to keep generation short.
enum GeneratedKeys {
    static let all: [SSHKeyType: SSHPrivateKey] = {
        var keys: [SSHKeyType: SSHPrivateKey] = [:]
        for type in SSHKeyType.allCases {
            keys[type] = try? SSHPrivateKey.generate(type, bits: type == .rsa ? 2048 : nil)
        }
        return keys
    }()

    static func key(_ type: SSHKeyType) throws -> SSHPrivateKey {
        try #require(all[type], "generating \(type) failed")
    }
}

@Suite("Signatures")
struct SignatureTests {
    static let message = Array("the quick brown fox".utf8)

    @Test(arguments: SSHKeyType.allCases)
    func signAndVerify(_ type: SSHKeyType) throws {
        let key = try GeneratedKeys.key(type)
        #expect(key.publicKey.keyType == type.sshName)
        #expect(String(describing: key) == "SSHPrivateKey(\(type.sshName) \(key.publicKey.fingerprint()) )")
        for algorithm in key.publicKey.signatureAlgorithms {
            let signature = try key.signature(for: Self.message, algorithm: algorithm)
            #expect(key.publicKey.isValidSignature(signature, for: Self.message))
            #expect(key.publicKey.isValidSignature(signature, for: Self.message, algorithm: algorithm))
            #expect(!key.publicKey.isValidSignature(signature, for: Self.message, algorithm: "ssh-foo"))
            #expect(!key.publicKey.isValidSignature(signature, for: Self.message + [1]))
            var tampered = signature
            tampered[tampered.count - 1] ^= 1
            #expect(!key.publicKey.isValidSignature(tampered, for: Self.message))
            for cut in stride(from: 0, to: signature.count, by: max(1, signature.count / 16)) {
                #expect(!key.publicKey.isValidSignature(Array(signature.prefix(cut)), for: Self.message))
            }
        }
    }

    @Test func rsaDefaultsToSHA512AndOffersAllThree() throws {
        let key = try GeneratedKeys.key(.rsa)
        #expect(key.publicKey.signatureAlgorithms == ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"])
        let signature = try key.signature(for: Self.message)
        #expect(signature.starts(with: [0, 0, 0, 12] + Array("rsa-sha2-512".utf8)))
    }

    @Test func signatureFromAnotherKeyFails() throws {
        let first = try GeneratedKeys.key(.ed25519)
        let second = try SSHPrivateKey.generate(.ed25519)
        let signature = try first.signature(for: Self.message)
        #expect(!second.publicKey.isValidSignature(signature, for: Self.message))
    }

    @Test func keyTypeMismatchIsRefused() throws {
        let key = try GeneratedKeys.key(.ecdsaP256)
        #expect(throws: CryptoError.self) { try key.signature(for: Self.message, algorithm: "ssh-ed25519") }
        let other = try GeneratedKeys.key(.ecdsaP384)
        let signature = try other.signature(for: Self.message)
        #expect(!key.publicKey.isValidSignature(signature, for: Self.message))
    }

    @Test func smallRSAIsRefusedForGeneration() {
        #expect(throws: CryptoError.self) { try SSHPrivateKey.generate(.rsa, bits: 512) }
        #expect(throws: CryptoError.self) { try SSHPrivateKey.generate(.rsa, bits: 32768) }
    }

    /// Our SSHSIG signatures pass `ssh-keygen -Y verify` with an allowed_signers file.
    @Test(.enabled(if: ExternalTool.available(ExternalTool.sshKeygen)), arguments: SSHKeyType.allCases)
    func sshKeygenVerifiesOurSignatures(_ type: SSHKeyType) throws {
        let tool = try #require(ExternalTool.sshKeygen)
        let key = try GeneratedKeys.key(type)
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let signers = directory.appendingPathComponent("allowed_signers")
        try "signer@example \(key.publicKey.openSSHLine)\n".write(to: signers, atomically: true, encoding: .utf8)
        let signature = try SSHSignatureFile.sign(Self.message, namespace: "file", with: key)
        let signatureFile = directory.appendingPathComponent("message.sig")
        try signature.write(to: signatureFile, atomically: true, encoding: .utf8)
        let result = try ExternalTool.run(
            tool, ["-Y", "verify", "-f", signers.path, "-I", "signer@example", "-n", "file", "-s", signatureFile.path],
            stdin: Data(Self.message))
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(SSHSignatureFile.verify(signature, message: Self.message, namespace: "file") == key.publicKey)
    }

    /// RFC 8032 §7.1, TEST 2: a fixed seed gives a fixed public key and a deterministic signature.
    @Test func ed25519RFC8032Vector() throws {
        let key = try SSHPrivateKey(
            ed25519Seed: SecureBytes([UInt8](hex: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")))
        #expect(
            Array(key.publicKey.blob.suffix(32)).hex
                == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        let signature = try key.signature(for: [0x72])
        #expect(
            Array(signature.suffix(64)).hex
                == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
        #expect(throws: CryptoError.self) { _ = try SSHPrivateKey(ed25519Seed: SecureBytes([1, 2, 3])) }
    }

    @Test(arguments: SSHKeyType.allCases)
    func privateKeyBlobRoundTrip(_ type: SSHKeyType) throws {
        let key = try GeneratedKeys.key(type)
        var buffer = ByteBuffer(bytes: try key.privateKeyBlob().unsafeArray)
        buffer.writeSSHString("comment follows")
        let copy = try SSHPrivateKey(privateKeyBlob: &buffer, comment: "agent")
        #expect(copy.publicKey == key.publicKey)
        #expect(copy.comment == "agent")
        #expect(try buffer.readSSHUTF8String() == "comment follows")
        let signature = try copy.signature(for: Self.message)
        #expect(key.publicKey.isValidSignature(signature, for: Self.message))

        let blob = try key.privateKeyBlob().unsafeArray
        for length in stride(from: 0, to: blob.count, by: max(1, blob.count / 40)) {
            var truncated = ByteBuffer(bytes: blob.prefix(length))
            #expect(throws: KeyFileError.self) { _ = try SSHPrivateKey(privateKeyBlob: &truncated) }
            #expect(truncated.readerIndex == 0)
        }
    }
}
