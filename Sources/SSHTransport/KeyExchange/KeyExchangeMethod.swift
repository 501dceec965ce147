import SSHCrypto

/// A key exchange method by its SSH name: curve25519-sha256 (RFC 8731), ecdh-sha2-* (RFC 5656),
/// the fixed-group diffie-hellman methods (RFC 4253 §8, RFC 8268) and group exchange (RFC 4419).
public struct KeyExchangeMethod: Sendable, Hashable, CustomStringConvertible {
    /// How the shared secret is agreed.
    public enum Kind: Sendable, Hashable {
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

    public var description: String { name }

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

    /// Offered by default, in OpenSSH 9.2's order.
    public static let defaults: [KeyExchangeMethod] = [
        .curve25519SHA256, .curve25519SHA256LibSSH, .ecdhP256, .ecdhP384, .ecdhP521, .groupExchangeSHA256,
        .group16SHA512, .group18SHA512, .group14SHA256,
    ]

    /// Everything implemented; group14-sha1, group-exchange-sha1 and group1-sha1 are opt-in.
    public static let supported: [KeyExchangeMethod] = defaults + [.group14SHA1, .groupExchangeSHA1, .group1SHA1]

    /// Looks a method up by its SSH name.
    public static func named(_ name: String) -> KeyExchangeMethod? {
        supported.first { $0.name == name }
    }
}
