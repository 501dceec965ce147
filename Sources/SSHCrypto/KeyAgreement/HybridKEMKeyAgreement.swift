/// One side of a hybrid post-quantum key exchange: a KEM with X25519, as
/// `sntrup761x25519-sha512@openssh.com` (draft-josefsson-ntruprime-ssh §2) and
/// `mlkem768x25519-sha256` (draft-ietf-sshm-mlkem-hybrid-kex §2) define it. The client sends its
/// KEM public key followed by its X25519 key; the server answers with a ciphertext for that key
/// followed by its own X25519 key. Both sides take K = HASH(KEM key ‖ X25519 secret), which the
/// exchange hash and key derivation carry as a `string`, not an mpint.
public struct HybridKEMKeyAgreement<KEM: KeyEncapsulationMechanism>: KeyAgreement {
    /// The client's public value length.
    public static var clientValueBytes: Int { KEM.publicKeyBytes + 32 }
    /// The server's public value length.
    public static var serverValueBytes: Int { KEM.ciphertextBytes + 32 }

    private enum Side {
        case client(secretKey: SecureBytes)
        case server(kemKey: SecureBytes)
    }

    private let side: Side
    private let x25519: X25519KeyAgreement
    public let publicValue: [UInt8]
    public var sharedSecretIsString: Bool { true }

    /// The client's side: a fresh KEM key pair and X25519 key.
    public init(using random: inout some SSHRandomSource) throws(CryptoError) {
        let (publicKey, secretKey) = try KEM.makeKeyPair(using: &random)
        x25519 = try X25519KeyAgreement(using: &random)
        side = .client(secretKey: secretKey)
        publicValue = publicKey + x25519.publicValue
    }

    /// The server's side for the client's public value: a key encapsulated to the client's KEM
    /// key, and a fresh X25519 key.
    public init(respondingTo clientValue: some Collection<UInt8>, using random: inout some SSHRandomSource)
        throws(CryptoError)
    {
        let value = Array(clientValue)
        guard value.count == Self.clientValueBytes else {
            throw CryptoError(.invalidPublicValue, "client values are \(Self.clientValueBytes) bytes, not \(value.count)")
        }
        let (ciphertext, kemKey) = try KEM.encapsulate(to: Array(value[0..<KEM.publicKeyBytes]), using: &random)
        x25519 = try X25519KeyAgreement(using: &random)
        side = .server(kemKey: kemKey)
        publicValue = ciphertext + x25519.publicValue
    }

    /// K from the peer's public value: the client decapsulates the server's ciphertext; the server
    /// uses the key it encapsulated. Either side adds the X25519 secret with the peer's key.
    public func sharedSecret(with peerPublicValue: some Collection<UInt8>) throws(CryptoError) -> SecureBytes {
        let peer = Array(peerPublicValue)
        let kemKey: SecureBytes
        let peerX25519: ArraySlice<UInt8>
        switch side {
        case .client(let secretKey):
            guard peer.count == Self.serverValueBytes else {
                throw CryptoError(.invalidPublicValue, "server values are \(Self.serverValueBytes) bytes, not \(peer.count)")
            }
            kemKey = try KEM.decapsulate(Array(peer[0..<KEM.ciphertextBytes]), secretKey: secretKey)
            peerX25519 = peer[KEM.ciphertextBytes...]
        case .server(let key):
            guard peer.count == Self.clientValueBytes else {
                throw CryptoError(.invalidPublicValue, "client values are \(Self.clientValueBytes) bytes, not \(peer.count)")
            }
            kemKey = key
            peerX25519 = peer[KEM.publicKeyBytes...]
        }
        let classical = try x25519.sharedSecret(with: peerX25519)
        var hasher = try DigestHasher(KEM.hybridHash)
        kemKey.withUnsafeBytes { hasher.update($0) }
        classical.withUnsafeBytes { hasher.update($0) }
        var digest = try hasher.finalize()
        defer { digest.wipe() }
        return SecureBytes(digest)
    }
}

/// `sntrup761x25519-sha512@openssh.com`.
public typealias Sntrup761X25519KeyAgreement = HybridKEMKeyAgreement<Sntrup761>
/// `mlkem768x25519-sha256`.
public typealias MLKEM768X25519KeyAgreement = HybridKEMKeyAgreement<MLKEM768>
