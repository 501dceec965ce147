/// A MAC by its SSH name (RFC 4253 §6.4, RFC 6668, and OpenSSH's UMAC names over RFC 4418), in
/// its encrypt-and-MAC form or OpenSSH's encrypt-then-MAC (`-etm@openssh.com`) form.
public struct MACAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// The construction behind an SSH MAC name.
    public enum Kind: Sendable, Hashable {
        /// HMAC (RFC 2104) over a hash, keyed with as many bytes as the hash outputs; it covers
        /// `uint32 sequence_number || data` (RFC 4253 §6.4).
        case hmac(DigestAlgorithm)
        /// UMAC with AES-128 (RFC 4418), keyed with 16 bytes; it covers the data alone and takes
        /// the sequence number, 8 bytes big-endian, as its nonce (OpenSSH's `umac-*@openssh.com`).
        case umac
    }

    /// The SSH name.
    public let name: String
    /// The construction: HMAC over a hash, or UMAC.
    public let kind: Kind
    /// The hash under an HMAC, or nil for UMAC.
    public var digest: DigestAlgorithm? {
        if case .hmac(let digest) = kind { return digest }
        return nil
    }
    /// Key bytes the key derivation must produce (RFC 4253 §7.2): the hash length for HMAC, 16 for UMAC.
    public var keyLength: Int {
        switch kind {
        case .hmac(let digest): digest.outputLength
        case .umac: UMAC.keyLength
        }
    }
    /// Bytes of the MAC sent on the wire (the digest, its first 12 bytes for `-96`, or the UMAC tag).
    public let outputLength: Int
    /// True for encrypt-then-MAC: the MAC covers the plain length and the ciphertext (and, for
    /// HMAC, the sequence number before them).
    public let encryptThenMAC: Bool

    public var description: String { name }

    private init(_ name: String, _ digest: DigestAlgorithm, truncated: Bool = false, etm: Bool = false) {
        self.name = name
        self.kind = .hmac(digest)
        self.outputLength = truncated ? 12 : digest.outputLength
        self.encryptThenMAC = etm
    }

    private init(umac name: String, tagLength: Int, etm: Bool) {
        self.name = name
        self.kind = .umac
        self.outputLength = tagLength
        self.encryptThenMAC = etm
    }

    /// umac-64-etm@openssh.com: UMAC-64 (RFC 4418 §4) over the clear length and the ciphertext.
    public static let umac64ETM = MACAlgorithm(umac: "umac-64-etm@openssh.com", tagLength: 8, etm: true)
    /// umac-128-etm@openssh.com: UMAC-128 (RFC 4418 §4) over the clear length and the ciphertext.
    public static let umac128ETM = MACAlgorithm(umac: "umac-128-etm@openssh.com", tagLength: 16, etm: true)
    /// umac-64@openssh.com: UMAC-64 (RFC 4418 §4) over the plaintext packet.
    public static let umac64 = MACAlgorithm(umac: "umac-64@openssh.com", tagLength: 8, etm: false)
    /// umac-128@openssh.com: UMAC-128 (RFC 4418 §4) over the plaintext packet.
    public static let umac128 = MACAlgorithm(umac: "umac-128@openssh.com", tagLength: 16, etm: false)

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
        .umac64ETM, .umac128ETM, .hmacSHA256ETM, .hmacSHA512ETM, .hmacSHA1ETM, .umac64, .umac128,
        .hmacSHA256, .hmacSHA512, .hmacSHA1, .hmacSHA196ETM, .hmacMD5ETM, .hmacMD596ETM, .hmacSHA196, .hmacMD5,
        .hmacMD596,
    ]

    /// The MACs offered by default, in OpenSSH 9.2's order (`ssh -Q mac`, `sshd -T`).
    public static let defaults: [MACAlgorithm] = [
        .umac64ETM, .umac128ETM, .hmacSHA256ETM, .hmacSHA512ETM, .hmacSHA1ETM, .umac64, .umac128,
        .hmacSHA256, .hmacSHA512, .hmacSHA1,
    ]

    /// Looks a MAC up by its SSH name.
    public static func named(_ name: String) -> MACAlgorithm? {
        supported.first { $0.name == name }
    }
}
