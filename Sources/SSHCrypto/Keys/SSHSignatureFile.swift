import NIOCore
import SSHWire

/// Detached signatures of files and messages as `ssh-keygen -Y sign` makes them (PROTOCOL.sshsig):
/// `-----BEGIN SSH SIGNATURE-----` around `"SSHSIG" || uint32 1 || string publickey || string namespace
/// || string reserved || string hash_algorithm || string signature`, where the signature covers
/// `"SSHSIG" || string namespace || string reserved || string hash_algorithm || string H(message)`.
public enum SSHSignatureFile {
    static let label = "SSH SIGNATURE"
    static let magic = Array("SSHSIG".utf8)

    /// Signs `message` in `namespace` (e.g. `file`, `git`) with SHA-512, as ssh-keygen does.
    public static func sign(
        _ message: [UInt8], namespace: String, with key: SSHPrivateKey
    ) throws(CryptoError) -> String {
        let signed = try signedData(message, namespace: namespace, hash: "sha512")
        let algorithm = key.type == .rsa ? "rsa-sha2-512" : nil
        let signature = try key.signature(for: signed, algorithm: algorithm)
        var out = ByteBuffer()
        out.writeBytes(magic)
        out.writeSSHUInt32(1)
        out.writeSSHString(key.publicKey.blob)
        out.writeSSHString(namespace)
        out.writeSSHString([UInt8]())
        out.writeSSHString("sha512")
        out.writeSSHString(signature)
        return PEMArmor.encode(label: label, body: Array(out.readableBytesView), lineLength: 70)
    }

    /// Verifies an armored signature over `message` in `namespace` and returns the key that made it,
    /// or nil when the signature is malformed, for another namespace, or does not verify. The caller
    /// decides whether that key is trusted (ssh-keygen's allowed_signers).
    public static func verify(_ armored: String, message: [UInt8], namespace: String) -> SSHPublicKey? {
        guard let armor = try? PEMArmor.first(in: armored), armor.label == label,
            armor.body.starts(with: magic)
        else { return nil }
        var buffer = ByteBuffer(bytes: armor.body.dropFirst(magic.count))
        guard (try? buffer.readSSHUInt32()) == 1,
            let blob = try? buffer.readSSHString(),
            let signedNamespace = try? buffer.readSSHUTF8String(), signedNamespace == namespace,
            (try? buffer.readSSHString()) != nil,
            let hash = try? buffer.readSSHUTF8String(),
            let signature = try? buffer.readSSHString(), buffer.readableBytes == 0,
            let key = try? SSHPublicKey(blob: Array(blob.readableBytesView)),
            let signed = try? signedData(message, namespace: namespace, hash: hash)
        else { return nil }
        let signatureBlob = Array(signature.readableBytesView)
        // RSA SSHSIG signatures must not use SHA-1 (PROTOCOL.sshsig).
        var inner = ByteBuffer(bytes: signatureBlob)
        if (try? inner.readSSHUTF8String()) == "ssh-rsa" { return nil }
        return key.isValidSignature(signatureBlob, for: signed) ? key : nil
    }

    private static func signedData(_ message: [UInt8], namespace: String, hash: String) throws(CryptoError) -> [UInt8] {
        let digest: DigestAlgorithm
        switch hash {
        case "sha256": digest = .sha256
        case "sha512": digest = .sha512
        default: throw CryptoError(.unsupportedAlgorithm, "SSHSIG hash \(hash.debugDescription)")
        }
        var data = ByteBuffer()
        data.writeBytes(magic)
        data.writeSSHString(namespace)
        data.writeSSHString([UInt8]())
        data.writeSSHString(hash)
        data.writeSSHString(try digest.hash(message))
        return Array(data.readableBytesView)
    }
}
