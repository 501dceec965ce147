/// The key types this library can generate and sign with (RFC 8709, RFC 5656, RFC 8332, RFC 4253 §6.6).
public enum SSHKeyType: String, Sendable, CaseIterable {
    case ed25519
    case ecdsaP256
    case ecdsaP384
    case ecdsaP521
    case rsa
    case dsa

    /// The public key algorithm name on the wire: `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, `ssh-dss`.
    public var sshName: String {
        switch self {
        case .ed25519: "ssh-ed25519"
        case .ecdsaP256: "ecdsa-sha2-nistp256"
        case .ecdsaP384: "ecdsa-sha2-nistp384"
        case .ecdsaP521: "ecdsa-sha2-nistp521"
        case .rsa: "ssh-rsa"
        case .dsa: "ssh-dss"
        }
    }

    /// The size `ssh-keygen` picks when `-b` is not given.
    public var defaultBits: Int {
        switch self {
        case .ed25519, .ecdsaP256: 256
        case .ecdsaP384: 384
        case .ecdsaP521: 521
        case .rsa: 3072
        case .dsa: 1024
        }
    }

    var curve: ECDHKeyAgreement.Curve? {
        switch self {
        case .ecdsaP256: .p256
        case .ecdsaP384: .p384
        case .ecdsaP521: .p521
        case .ed25519, .rsa, .dsa: nil
        }
    }

    /// The type for a wire name, or nil for names that are not signing key types.
    public init?(sshName: String) {
        guard let match = Self.allCases.first(where: { $0.sshName == sshName }) else { return nil }
        self = match
    }
}

/// RSA modulus limits: smaller keys are refused for signing and verification, larger ones are
/// refused when parsed (LIMITS.md).
enum RSALimits {
    static let minimumBits = 1024
    static let maximumBits = 16384
    /// The public exponent's size limit: verification costs grow with it, so a peer's key with a
    /// huge exponent would be a denial of service (libcrypto itself allows 64 bits above 3,072-bit moduli).
    static let maximumExponentBytes = 8
}

/// DSA parameter limits: p up to 8,192 bits (OpenSSH uses 1,024), q up to 512, g and y below p.
enum DSALimits {
    static let maximumPBytes = 1024
    static let maximumQBytes = 64
}
