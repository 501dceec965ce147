import Foundation
import NIOCore
import SSHCrypto
import SSHWire
import Testing

/// FIDO keys (PROTOCOL.u2f) verify signatures over SHA256(application) || flags || counter || SHA256(message).
enum PublicKeyNames {
    static func certificate(of name: String) -> String {
        name.replacingOccurrences(of: "@openssh.com", with: "") + "-cert-v01@openssh.com"
    }
}

@Suite("Security keys")
struct SecurityKeyTests {
    static let application = Array("ssh:".utf8)
    static let message = Array("authenticate me".utf8)

    static func fields(of key: SSHPublicKey) throws -> ByteBuffer {
        var buffer = ByteBuffer(bytes: key.blob)
        _ = try buffer.readSSHString()
        return buffer
    }

    static func signedData(flags: UInt8, counter: UInt32, message: [UInt8]) throws -> [UInt8] {
        try DigestAlgorithm.sha256.hash(application) + [flags] + withUnsafeBytes(of: counter.bigEndian) { Array($0) }
            + DigestAlgorithm.sha256.hash(message)
    }

    /// Wraps a plain signature blob's inner signature as an sk signature blob.
    static func securityKeySignature(_ plain: [UInt8], type: String, flags: UInt8, counter: UInt32) throws -> [UInt8] {
        var buffer = ByteBuffer(bytes: plain)
        _ = try buffer.readSSHString()
        let inner = try buffer.readSSHString()
        var out = ByteBuffer()
        out.writeSSHString(type)
        out.writeSSHString(inner)
        out.writeInteger(flags)
        out.writeInteger(counter)
        return Array(out.readableBytesView)
    }

    @Test(arguments: [SSHKeyType.ed25519, .ecdsaP256])
    func verifies(_ type: SSHKeyType) throws {
        let key = try GeneratedKeys.key(type)
        let skType = type == .ed25519 ? "sk-ssh-ed25519@openssh.com" : "sk-ecdsa-sha2-nistp256@openssh.com"
        var blob = ByteBuffer()
        blob.writeSSHString(skType)
        var fields = try Self.fields(of: key.publicKey)
        blob.writeBuffer(&fields)
        blob.writeSSHString(Self.application)
        let securityKey = try SSHPublicKey(blob: Array(blob.readableBytesView))
        #expect(securityKey.keyType == skType)
        #expect(securityKey.typeLabel == (type == .ed25519 ? "ED25519-SK" : "ECDSA-SK"))

        let signed = try Self.signedData(flags: 1, counter: 42, message: Self.message)
        let signature = try Self.securityKeySignature(
            try key.signature(for: signed), type: skType, flags: 1, counter: 42)
        #expect(securityKey.isValidSignature(signature, for: Self.message))
        #expect(!securityKey.isValidSignature(signature, for: Self.message + [0]))
        let otherCounter = try Self.securityKeySignature(
            try key.signature(for: signed), type: skType, flags: 1, counter: 43)
        #expect(!securityKey.isValidSignature(otherCounter, for: Self.message))
        #expect(!securityKey.isValidSignature(Array(signature.dropLast()), for: Self.message))

        // A certificate for the security key verifies with it too.
        let authority = try GeneratedKeys.key(.ed25519)
        let certified = try authority.certify(
            securityKey, SSHCertificateRequest(kind: .user, keyID: "fido", principals: ["me"]))
        #expect(certified.keyType == PublicKeyNames.certificate(of: skType))
        #expect(certified.signatureAlgorithms == [certified.keyType])
        #expect(certified.certificate?.hasValidSignature == true)
        #expect(certified.isValidSignature(signature, for: Self.message, algorithm: certified.keyType))

        guard ExternalTool.available(ExternalTool.sshKeygen), let tool = ExternalTool.sshKeygen else { return }
        let directory = try KeyFixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, key) in [("key.pub", securityKey), ("key-cert.pub", certified)] {
            let path = directory.appendingPathComponent(name).path
            try (key.openSSHLine + " fido\n").write(toFile: path, atomically: true, encoding: .utf8)
            let listed = try ExternalTool.run(tool, ["-l", "-f", path])
            #expect(listed.stdout.trimmedLine == key.fingerprintLine(comment: "fido"), "\(listed.stderr)")
        }
    }
}
