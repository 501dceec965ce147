import NIOCore
import SSHWire

extension SSHPrivateKey {
    /// The key as `string type` followed by its private fields, the encoding of the private section of
    /// an `openssh-key-v1` file (PROTOCOL.key) and of SSH_AGENTC_ADD_IDENTITY (PROTOCOL.agent §3.2,
    /// without the trailing comment): for Ed25519 `string pub, string seed||pub`; for ECDSA
    /// `string curve, string Q, mpint d`; for RSA `mpint n, e, d, iqmp, p, q`; for DSA `mpint p, q, g, y, x`.
    public func privateKeyBlob() throws(CryptoError) -> SecureBytes {
        var buffer = ByteBuffer()
        buffer.writeSSHString(type.sshName)
        try OpenSSHKeyFormat.writeFields(of: self, into: &buffer)
        let blob = SecureBytes(buffer.readableBytesView)
        buffer.zeroize()
        return blob
    }

    /// Reads `string type` and the private fields (see ``privateKeyBlob()``) from the front of
    /// `buffer`, leaving what follows (an agent message's comment, a key file's comment) unread.
    /// The private half must match the public half.
    public init(privateKeyBlob buffer: inout ByteBuffer, comment: String = "") throws(KeyFileError) {
        let start = buffer.readerIndex
        do {
            let type = try buffer.readSSHUTF8String()
            let key = try OpenSSHKeyFormat.readKey(type: type, &buffer)
            guard key.isConsistentPair else {
                throw KeyFileError(.corrupt, "the private and public halves of the \(type) key do not match")
            }
            try self.init(key: key, comment: comment)
        } catch {
            buffer.moveReaderIndex(to: start)
            switch error {
            case let error as KeyFileError: throw error
            default: throw KeyFileError(.corrupt, "private key blob: \(error)")
            }
        }
    }
}
