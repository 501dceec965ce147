/// A key encapsulation mechanism as SSH's hybrid post-quantum key exchanges use one: the client
/// sends a public key, the server answers with a ciphertext that carries a fresh shared key.
public protocol KeyEncapsulationMechanism {
    /// Public key bytes.
    static var publicKeyBytes: Int { get }
    /// Ciphertext bytes.
    static var ciphertextBytes: Int { get }
    /// The hash that joins this KEM's key with X25519's secret in the hybrid method.
    static var hybridHash: DigestAlgorithm { get }
    /// A fresh key pair.
    static func makeKeyPair(using random: inout some SSHRandomSource) throws(CryptoError)
        -> (publicKey: [UInt8], secretKey: SecureBytes)
    /// A ciphertext for `publicKey` and the key it carries; a malformed key throws.
    static func encapsulate(to publicKey: [UInt8], using random: inout some SSHRandomSource) throws(CryptoError)
        -> (ciphertext: [UInt8], sharedKey: SecureBytes)
    /// The key in `ciphertext`; a ciphertext of the right length never throws.
    static func decapsulate(_ ciphertext: [UInt8], secretKey: SecureBytes) throws(CryptoError) -> SecureBytes
}

extension Sntrup761: KeyEncapsulationMechanism {
    /// sntrup761x25519-sha512@openssh.com joins the keys with SHA-512.
    public static var hybridHash: DigestAlgorithm { .sha512 }

    public static func makeKeyPair(using random: inout some SSHRandomSource) throws(CryptoError)
        -> (publicKey: [UInt8], secretKey: SecureBytes)
    {
        let pair = try generateKeyPair(using: &random)
        return (pair.publicKey, pair.secretKey)
    }
}

extension MLKEM768: KeyEncapsulationMechanism {
    public static var publicKeyBytes: Int { encapsulationKeyBytes }
    /// mlkem768x25519-sha256 joins the keys with SHA-256.
    public static var hybridHash: DigestAlgorithm { .sha256 }

    public static func makeKeyPair(using random: inout some SSHRandomSource) throws(CryptoError)
        -> (publicKey: [UInt8], secretKey: SecureBytes)
    {
        let pair = try generateKeyPair(using: &random)
        return (pair.encapsulationKey, pair.decapsulationKey)
    }

    public static func decapsulate(_ ciphertext: [UInt8], secretKey: SecureBytes) throws(CryptoError) -> SecureBytes {
        try decapsulate(ciphertext, decapsulationKey: secretKey)
    }
}
