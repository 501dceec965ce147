import COpenSSL

/// Finite-field Diffie–Hellman (RFC 4253 §8): `e = g^x mod p`, `K = f^x mod p`, with the
/// peer's value checked to lie in `[2, p-2]` as §8 requires, and modular exponentiation in
/// constant time.
public struct DiffieHellmanKeyAgreement: KeyAgreement {
    /// The group in use.
    public let group: DiffieHellmanGroup
    private let exponent: SecureBytes
    public let publicValue: [UInt8]

    /// Bits of private exponent: twice the strength of the largest key it protects, at least
    /// 256, and below the prime's size.
    public static func exponentBits(for group: DiffieHellmanGroup) -> Int {
        min(512, group.bits - 1)
    }

    /// A fresh private exponent drawn from `random`.
    public init(group: DiffieHellmanGroup, using random: inout some SSHRandomSource) throws(CryptoError) {
        let bytes = (Self.exponentBits(for: group) + 7) / 8
        try self.init(group: group, privateExponent: random.secureBytes(bytes))
    }

    /// A known private exponent (big-endian), for tests.
    public init(group: DiffieHellmanGroup, privateExponent: SecureBytes) throws(CryptoError) {
        guard group.bits >= 1024, group.generator.count > 0 else {
            throw CryptoError(.invalidPublicValue, "a Diffie-Hellman group of \(group.bits) bits is too small")
        }
        self.group = group
        self.exponent = privateExponent
        let numbers = try BigNumbers(group: group)
        let x = try numbers.secret(privateExponent)
        defer { BN_clear_free(x) }
        guard BN_is_zero(x) == 0, BN_is_one(x) == 0 else {
            throw CryptoError(.invalidKeyLength, "private exponent too small")
        }
        publicValue = try numbers.power(numbers.generator, x)
    }

    public func sharedSecret(with peerPublicValue: some Collection<UInt8>) throws(CryptoError) -> SecureBytes {
        let numbers = try BigNumbers(group: group)
        let f = try numbers.number(Array(peerPublicValue))
        defer { BN_free(f) }
        // RFC 4253 §8: values not in [1, p-1] must not be accepted; 1 and p-1 are also degenerate.
        let upper = try check(BN_dup(numbers.prime), "BN_dup")
        defer { BN_free(upper) }
        try check(BN_sub_word(upper, 1), "BN_sub_word")
        guard BN_cmp(f, BN_value_one()) > 0, BN_cmp(f, upper) < 0 else {
            throw CryptoError(.invalidPublicValue, "the peer's Diffie-Hellman value is out of range")
        }
        let x = try numbers.secret(exponent)
        defer { BN_clear_free(x) }
        let shared = try numbers.power(f, x)
        return SecureBytes(shared)
    }
}

/// The bignum scaffolding of one Diffie–Hellman computation.
private final class BigNumbers {
    let context: OpaquePointer
    let prime: OpaquePointer
    let generator: OpaquePointer
    let montgomery: OpaquePointer

    init(group: DiffieHellmanGroup) throws(CryptoError) {
        context = try check(BN_CTX_secure_new(), "BN_CTX_secure_new")
        prime = try check(group.prime.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) },
            "BN_bin2bn")
        generator = try check(
            group.generator.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }, "BN_bin2bn")
        montgomery = try check(BN_MONT_CTX_new(), "BN_MONT_CTX_new")
        try check(BN_MONT_CTX_set(montgomery, prime, context), "BN_MONT_CTX_set")
    }

    deinit {
        BN_MONT_CTX_free(montgomery)
        BN_free(generator)
        BN_free(prime)
        BN_CTX_free(context)
    }

    func number(_ bytes: [UInt8]) throws(CryptoError) -> OpaquePointer {
        try check(bytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) }, "BN_bin2bn")
    }

    func secret(_ bytes: SecureBytes) throws(CryptoError) -> OpaquePointer {
        let bn = try check(BN_secure_new(), "BN_secure_new")
        let converted = bytes.withUnsafeBytes { raw in
            BN_bin2bn(raw.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(raw.count), bn)
        }
        guard converted != nil else {
            BN_clear_free(bn)
            throw CryptoError.openSSL("BN_bin2bn")
        }
        BN_set_flags(bn, BN_FLG_CONSTTIME)
        return bn
    }

    /// `base^exponent mod p` as big-endian bytes.
    func power(_ base: OpaquePointer, _ exponent: OpaquePointer) throws(CryptoError) -> [UInt8] {
        let result = try check(BN_secure_new(), "BN_secure_new")
        defer { BN_clear_free(result) }
        try check(BN_mod_exp_mont_consttime(result, base, exponent, prime, context, montgomery), "BN_mod_exp")
        var bytes = [UInt8](repeating: 0, count: Int(paramiko_bn_num_bytes(result)))
        _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(result, $0.baseAddress) }
        return bytes
    }
}
