import COpenSSL

/// A finite-field Diffie–Hellman group: a safe prime `p` and generator `g`, either one of
/// the fixed MODP groups (RFC 2409 §6.2, RFC 3526, as RFC 4253 §8.1 and RFC 8268 name
/// them) or a group the server sends in a group exchange (RFC 4419).
public struct DiffieHellmanGroup: Sendable, Hashable {
    /// The prime, big-endian, without leading zeros.
    public let prime: [UInt8]
    /// The generator, big-endian.
    public let generator: [UInt8]

    /// The size of the prime in bits.
    public var bits: Int {
        guard let first = prime.first else { return 0 }
        return prime.count * 8 - first.leadingZeroBitCount
    }

    /// A group from its prime and generator (big-endian magnitudes; leading zeros are removed).
    public init(prime: some Collection<UInt8>, generator: some Collection<UInt8>) {
        self.prime = Array(prime.drop { $0 == 0 })
        self.generator = Array(generator.drop { $0 == 0 })
    }

    private static func builtin(_ make: (OpaquePointer?) -> OpaquePointer?) -> DiffieHellmanGroup {
        guard let bn = make(nil) else { preconditionFailure("libcrypto lacks a built-in MODP prime") }
        defer { BN_free(bn) }
        var bytes = [UInt8](repeating: 0, count: Int(paramiko_bn_num_bytes(bn)))
        _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(bn, $0.baseAddress) }
        return DiffieHellmanGroup(prime: bytes, generator: [2])
    }

    /// Oakley group 2, 1024 bits (RFC 2409 §6.2): diffie-hellman-group1-sha1.
    public static let group1 = builtin { BN_get_rfc2409_prime_1024($0) }
    /// MODP group 14, 2048 bits (RFC 3526 §3): diffie-hellman-group14-sha1 and -sha256.
    public static let group14 = builtin { BN_get_rfc3526_prime_2048($0) }
    /// MODP group 16, 4096 bits (RFC 3526 §5): diffie-hellman-group16-sha512.
    public static let group16 = builtin { BN_get_rfc3526_prime_4096($0) }
    /// MODP group 18, 8192 bits (RFC 3526 §7): diffie-hellman-group18-sha512.
    public static let group18 = builtin { BN_get_rfc3526_prime_8192($0) }
}
