/// A MAC by its SSH name (RFC 4253 §6.4, RFC 6668), in its encrypt-and-MAC form or
/// OpenSSH's encrypt-then-MAC (`-etm@openssh.com`) form.
public struct MACAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// The SSH name.
    public let name: String
    /// The underlying hash.
    public let digest: DigestAlgorithm
    /// Key bytes the key derivation must produce.
    public var keyLength: Int { digest.outputLength }
    /// Bytes of the MAC sent on the wire (the digest, or its first 12 bytes for `-96`).
    public let outputLength: Int
    /// True for encrypt-then-MAC: the MAC covers the sequence number, the plain length and the ciphertext.
    public let encryptThenMAC: Bool

    public var description: String { name }

    private init(_ name: String, _ digest: DigestAlgorithm, truncated: Bool = false, etm: Bool = false) {
        self.name = name
        self.digest = digest
        self.outputLength = truncated ? 12 : digest.outputLength
        self.encryptThenMAC = etm
    }

    /// hmac-sha2-256-etm@openssh.com.
    public static let hmacSHA256ETM = MACAlgorithm("hmac-sha2-256-etm@openssh.com", .sha256, etm: true)
    /// hmac-sha2-512-etm@openssh.com.
    public static let hmacSHA512ETM = MACAlgorithm("hmac-sha2-512-etm@openssh.com", .sha512, etm: true)
    /// hmac-sha1-etm@openssh.com.
    public static let hmacSHA1ETM = MACAlgorithm("hmac-sha1-etm@openssh.com", .sha1, etm: true)
    /// hmac-sha1-96-etm@openssh.com.
    public static let hmacSHA196ETM = MACAlgorithm("hmac-sha1-96-etm@openssh.com", .sha1, truncated: true, etm: true)
    /// hmac-md5-etm@openssh.com.
    public static let hmacMD5ETM = MACAlgorithm("hmac-md5-etm@openssh.com", .md5, etm: true)
    /// hmac-md5-96-etm@openssh.com.
    public static let hmacMD596ETM = MACAlgorithm("hmac-md5-96-etm@openssh.com", .md5, truncated: true, etm: true)
    /// hmac-sha2-256 (RFC 6668).
    public static let hmacSHA256 = MACAlgorithm("hmac-sha2-256", .sha256)
    /// hmac-sha2-512 (RFC 6668).
    public static let hmacSHA512 = MACAlgorithm("hmac-sha2-512", .sha512)
    /// hmac-sha1 (RFC 4253 §6.4).
    public static let hmacSHA1 = MACAlgorithm("hmac-sha1", .sha1)
    /// hmac-sha1-96 (RFC 4253 §6.4).
    public static let hmacSHA196 = MACAlgorithm("hmac-sha1-96", .sha1, truncated: true)
    /// hmac-md5 (RFC 4253 §6.4): supported for old peers, never enabled by default.
    public static let hmacMD5 = MACAlgorithm("hmac-md5", .md5)
    /// hmac-md5-96 (RFC 4253 §6.4): supported for old peers, never enabled by default.
    public static let hmacMD596 = MACAlgorithm("hmac-md5-96", .md5, truncated: true)

    /// Every MAC this library implements.
    public static let supported: [MACAlgorithm] = [
        .hmacSHA256ETM, .hmacSHA512ETM, .hmacSHA1ETM, .hmacSHA256, .hmacSHA512, .hmacSHA1,
        .hmacSHA196ETM, .hmacMD5ETM, .hmacMD596ETM, .hmacSHA196, .hmacMD5, .hmacMD596,
    ]

    /// The MACs offered by default, in OpenSSH 9.2's order (less umac, which is not implemented).
    public static let defaults: [MACAlgorithm] = [
        .hmacSHA256ETM, .hmacSHA512ETM, .hmacSHA1ETM, .hmacSHA256, .hmacSHA512, .hmacSHA1,
    ]

    /// Looks a MAC up by its SSH name.
    public static func named(_ name: String) -> MACAlgorithm? {
        supported.first { $0.name == name }
    }
}
