import SSHCrypto

/// A key exchange method by its SSH name: the post-quantum hybrids mlkem768x25519-sha256
/// (draft-ietf-sshm-mlkem-hybrid-kex) and sntrup761x25519-sha512@openssh.com
/// (draft-josefsson-ntruprime-ssh), curve25519-sha256 (RFC 8731), ecdh-sha2-* (RFC 5656),
/// the fixed-group diffie-hellman methods (RFC 4253 §8, RFC 8268), group exchange (RFC 4419) and
/// GSS-API key exchange with Kerberos V5 (RFC 4462 §2, RFC 8732).
public struct KeyExchangeMethod: Sendable, Hashable, CustomStringConvertible {
    /// How the shared secret is agreed.
    public enum Kind: Sendable, Hashable {
        /// The ML-KEM-768 KEM with X25519, public values and `K` as strings.
        case mlkem768x25519
        /// The sntrup761 KEM with X25519, public values and `K` as strings.
        case sntrup761x25519
        /// X25519, public values as strings.
        case curve25519
        /// ECDH on a NIST curve, public values as strings.
        case ecdh(ECDHKeyAgreement.Curve)
        /// Diffie–Hellman on a fixed group, public values as mpints.
        case fixedGroup(DiffieHellmanGroup)
        /// Diffie–Hellman on a group the server chooses (RFC 4419).
        case groupExchange
    }

    /// The SSH name.
    public let name: String
    /// The exchange hash and key derivation hash.
    public let hash: DigestAlgorithm
    /// How the secret is agreed.
    public let kind: Kind
    /// Whether a GSS-API context authenticates the exchange instead of a host key signature.
    public private(set) var usesGSSAPI = false

    public var description: String { name }

    /// The GSS-API methods (RFC 4462 §2.3, RFC 8732) by base name, in OpenSSH's order; the full
    /// name adds the mechanism's suffix (``GSSKeyExchange/nameSuffix(mechanism:)``).
    public static let gssBaseNames = [
        "gss-group14-sha256-", "gss-group16-sha512-", "gss-nistp256-sha256-", "gss-curve25519-sha256-",
        "gss-group14-sha1-", "gss-group1-sha1-",
    ]

    /// The GSS-API methods offered by default, as OpenSSH's GSSAPIKexAlgorithms (all but group1).
    public static var gssDefaults: [KeyExchangeMethod] {
        gssBaseNames.filter { $0 != "gss-group1-sha1-" }.compactMap(gss)
    }

    /// The GSS-API method `base` with Kerberos V5, or nil for a base name not implemented.
    public static func gss(_ base: String) -> KeyExchangeMethod? {
        let kinds: [String: (DigestAlgorithm, Kind)] = [
            "gss-group14-sha256-": (.sha256, .fixedGroup(.group14)), "gss-group16-sha512-": (.sha512, .fixedGroup(.group16)),
            "gss-nistp256-sha256-": (.sha256, .ecdh(.p256)), "gss-curve25519-sha256-": (.sha256, .curve25519),
            "gss-group14-sha1-": (.sha1, .fixedGroup(.group14)), "gss-group1-sha1-": (.sha1, .fixedGroup(.group1)),
        ]
        guard let (hash, kind) = kinds[base] else { return nil }
        return KeyExchangeMethod(
            name: base + GSSKeyExchange.nameSuffix(mechanism: GSSKeyExchange.kerberos5Mechanism), hash: hash, kind: kind,
            usesGSSAPI: true)
    }

    public static let mlkem768x25519SHA256 = KeyExchangeMethod(
        name: "mlkem768x25519-sha256", hash: .sha256, kind: .mlkem768x25519)
    public static let sntrup761x25519SHA512 = KeyExchangeMethod(
        name: "sntrup761x25519-sha512", hash: .sha512, kind: .sntrup761x25519)
    /// The same method by the name OpenSSH gave it first (8.5 to 9.8).
    public static let sntrup761x25519SHA512OpenSSH = KeyExchangeMethod(
        name: "sntrup761x25519-sha512@openssh.com", hash: .sha512, kind: .sntrup761x25519)
    public static let curve25519SHA256 = KeyExchangeMethod(name: "curve25519-sha256", hash: .sha256, kind: .curve25519)
    public static let curve25519SHA256LibSSH = KeyExchangeMethod(
        name: "curve25519-sha256@libssh.org", hash: .sha256, kind: .curve25519)
    public static let ecdhP256 = KeyExchangeMethod(name: "ecdh-sha2-nistp256", hash: .sha256, kind: .ecdh(.p256))
    public static let ecdhP384 = KeyExchangeMethod(name: "ecdh-sha2-nistp384", hash: .sha384, kind: .ecdh(.p384))
    public static let ecdhP521 = KeyExchangeMethod(name: "ecdh-sha2-nistp521", hash: .sha512, kind: .ecdh(.p521))
    public static let groupExchangeSHA256 = KeyExchangeMethod(
        name: "diffie-hellman-group-exchange-sha256", hash: .sha256, kind: .groupExchange)
    public static let group16SHA512 = KeyExchangeMethod(
        name: "diffie-hellman-group16-sha512", hash: .sha512, kind: .fixedGroup(.group16))
    public static let group18SHA512 = KeyExchangeMethod(
        name: "diffie-hellman-group18-sha512", hash: .sha512, kind: .fixedGroup(.group18))
    public static let group14SHA256 = KeyExchangeMethod(
        name: "diffie-hellman-group14-sha256", hash: .sha256, kind: .fixedGroup(.group14))
    public static let group14SHA1 = KeyExchangeMethod(
        name: "diffie-hellman-group14-sha1", hash: .sha1, kind: .fixedGroup(.group14))
    public static let groupExchangeSHA1 = KeyExchangeMethod(
        name: "diffie-hellman-group-exchange-sha1", hash: .sha1, kind: .groupExchange)
    public static let group1SHA1 = KeyExchangeMethod(
        name: "diffie-hellman-group1-sha1", hash: .sha1, kind: .fixedGroup(.group1))

    /// Offered by default: OpenSSH 10's order (ML-KEM first, as since 10.0), then 9.2's.
    public static let defaults: [KeyExchangeMethod] = [
        .mlkem768x25519SHA256, .sntrup761x25519SHA512, .sntrup761x25519SHA512OpenSSH, .curve25519SHA256,
        .curve25519SHA256LibSSH, .ecdhP256, .ecdhP384, .ecdhP521, .groupExchangeSHA256, .group16SHA512, .group18SHA512,
        .group14SHA256,
    ]

    /// Everything implemented; group14-sha1, group-exchange-sha1 and group1-sha1 are opt-in.
    public static let supported: [KeyExchangeMethod] = defaults + [.group14SHA1, .groupExchangeSHA1, .group1SHA1]

    /// Looks a method up by its SSH name.
    public static func named(_ name: String) -> KeyExchangeMethod? {
        if let method = supported.first(where: { $0.name == name }) { return method }
        guard name.hasPrefix("gss-") else { return nil }
        return gssBaseNames.lazy.compactMap(gss).first { $0.name == name }
    }
}
