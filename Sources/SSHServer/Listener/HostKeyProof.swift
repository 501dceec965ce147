import NIOCore
import SSHCrypto
import SSHTransport
import SSHWire

/// The server's half of OpenSSH's host key rotation (PROTOCOL §2.5): after login it tells the
/// client every plain host key it has (`hostkeys-00@openssh.com`), and proves on request that it
/// holds the private halves (`hostkeys-prove-00@openssh.com`), so that a client can learn keys
/// it has not recorded yet (ssh's UpdateHostKeys).
struct HostKeyProof: Sendable {
    /// The plain host keys; certificates are not announced, as sshd announces none.
    let keys: [SSHPrivateKey]
    let sessionID: [UInt8]
    /// The host key algorithm the key exchange used: RSA keys sign with it when it is an RSA one.
    let negotiatedHostKey: String

    init(hostKeys: [any TransportHostKey], sessionID: [UInt8], negotiatedHostKey: String) {
        var seen = Set<SSHPublicKey>()
        keys = hostKeys.compactMap { $0 as? SSHPrivateKey }.filter { seen.insert($0.publicKey).inserted }
        self.sessionID = sessionID
        self.negotiatedHostKey = negotiatedHostKey
    }

    /// `hostkeys-00@openssh.com`, sent without asking for a reply.
    var announcement: ByteBuffer {
        GlobalRequestMessage(request: .hostKeys(keys.map { ByteBuffer(bytes: $0.publicKey.blob) }), wantReply: false)
            .encodedPayload()
    }

    /// The answer's data: one signature blob per requested key, in the request's order; nil when
    /// a requested key is not one of ours (the request fails, as sshd's does).
    func prove(_ requested: [ByteBuffer]) -> [UInt8]? {
        guard !requested.isEmpty else { return nil }
        var answer = ByteBuffer()
        for blob in requested {
            guard let key = keys.first(where: { $0.publicKey.blob == Array(blob.readableBytesView) }),
                let signature = try? key.signature(
                    for: GlobalRequestType.hostKeyProofData(sessionIdentifier: sessionID, hostKey: blob),
                    algorithm: algorithm(for: key.publicKey))
            else { return nil }
            answer.writeSSHString(signature)
        }
        return Array(answer.readableBytesView)
    }

    /// RSA keys sign with the key exchange's RSA algorithm, else with rsa-sha2-512; other keys
    /// with their one algorithm.
    private func algorithm(for key: SSHPublicKey) -> String {
        let algorithms = key.signatureAlgorithms
        guard algorithms.count > 1 else { return algorithms[0] }
        if algorithms.contains(negotiatedHostKey) { return negotiatedHostKey }
        return algorithms.contains("rsa-sha2-512") ? "rsa-sha2-512" : algorithms[0]
    }
}
