import Foundation
import SSHCrypto
import Testing

/// Every single-byte corruption of a key file either still parses or throws a typed error.
@Suite("Key file mutations")
struct KeyMutationTests {
    @Test(arguments: ["openssh_ed25519", "openssh_ecdsa384", "openssh_dsa"])
    func everyByteOfAnOpenSSHKey(_ name: String) throws {
        let body = try MalformedKeyTests.openSSHBody(name)
        for index in body.indices {
            var mutated = body
            mutated[index] ^= 0xA5
            do {
                let key = try SSHPrivateKey(fileContents: MalformedKeyTests.armor(mutated))
                // A change the format cannot notice (the comment, the padding of a 0x00 byte) still
                // yields a working key.
                let signature = try key.signature(for: [1])
                #expect(key.publicKey.isValidSignature(signature, for: [1]))
            } catch is KeyFileError {
            } catch is CryptoError {
            }
        }
    }

    @Test(arguments: ["pem_ecdsa256", "pkcs8_ed25519", "pkcs8_rsa_enc"])
    func everyByteOfAPEMKey(_ name: String) throws {
        let text = try KeyFixtures.text(name)
        let lines = text.split(separator: "\n")
        let base64 = lines.filter { !$0.hasPrefix("-----") && !$0.contains(":") }.joined()
        let body = try #require(Data(base64Encoded: base64))
        let label = String(lines[0].dropFirst("-----BEGIN ".count).dropLast(5))
        for index in stride(from: 0, to: body.count, by: name.hasSuffix("_enc") ? 13 : 1) {
            var mutated = body
            mutated[index] ^= 0xA5
            let armored = "-----BEGIN \(label)-----\n" + mutated.base64EncodedString(options: .lineLength64Characters)
                + "\n-----END \(label)-----\n"
            _ = try? SSHPrivateKey(fileContents: armored, passphrase: KeyFixtures.passphrase)
        }
    }

    @Test func everyByteOfACertificate() throws {
        let certificate = try SSHPublicKey(openSSHLine: try KeyFixtures.text("cert_user_ecdsa256-cert.pub"))
        var refused = 0
        for index in certificate.blob.indices {
            var blob = certificate.blob
            blob[index] ^= 0xA5
            guard let mutated = try? SSHPublicKey(blob: blob) else {
                refused += 1
                continue
            }
            #expect(mutated.certificate?.hasValidSignature != true, "byte \(index) changed without notice")
        }
        #expect(refused > 0)
    }
}
