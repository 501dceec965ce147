/// Streamlined NTRU Prime sntrup761, the key encapsulation mechanism of the
/// `sntrup761x25519-sha512@openssh.com` key exchange (NTRU Prime round 3 specification;
/// draft-josefsson-ntruprime-ssh). Byte for byte what OpenSSH's sntrup761.c computes: a
/// 1158-byte public key, a 1763-byte secret key, a 1039-byte ciphertext and a 32-byte shared key.
/// Decapsulation of a ciphertext that was not made for the key yields a key derived from a secret
/// random value instead of failing (implicit rejection), in the same time.
public enum Sntrup761 {
    private typealias P = Sntrup761Polynomials
    private typealias E = Sntrup761Encoding

    /// Public key bytes.
    public static let publicKeyBytes = E.publicKeyPolynomialBytes
    /// Secret key bytes: f, 1/g, the public key, the rejection value ρ and the public key's hash.
    public static let secretKeyBytes = 2 * E.smallBytes + E.publicKeyPolynomialBytes + E.smallBytes + hashBytes
    /// Ciphertext bytes: the rounded polynomial and its confirmation hash.
    public static let ciphertextBytes = E.roundedBytes + hashBytes
    /// Shared key bytes.
    public static let sharedKeyBytes = hashBytes
    private static let hashBytes = 32

    /// A key pair: the public key to send and the secret key to decapsulate with.
    public struct KeyPair: Sendable {
        /// The encoded public key (``Sntrup761/publicKeyBytes`` bytes).
        public let publicKey: [UInt8]
        /// The encoded secret key (``Sntrup761/secretKeyBytes`` bytes).
        public let secretKey: SecureBytes
    }

    /// A new key pair, with randomness from `random`.
    public static func generateKeyPair(using random: inout some SSHRandomSource) throws(CryptoError) -> KeyPair {
        var gInverse: [Int8]
        var g: [Int8]
        repeat {
            g = P.small(fromRandom: randomWords(&random))
            gInverse = P.reciprocal3(g) ?? []
        } while gInverse.isEmpty
        let f = P.short(fromRandom: randomWords(&random))
        // A short f always has 1/(3f): q is prime and 3f is not a multiple of x^p − x − 1.
        let fInverse = P.reciprocalOfThreeTimes(f) ?? []
        let h = P.multiply(fInverse, small: g)
        let publicKey = E.encodePublic(h)
        var secret = E.encodeSmall(f) + E.encodeSmall(gInverse) + publicKey
        secret += random.bytes(E.smallBytes)
        secret += try hashPrefix(4, publicKey)
        let secretKey = SecureBytes(secret)
        secret.wipe()
        return KeyPair(publicKey: publicKey, secretKey: secretKey)
    }

    /// A ciphertext for `publicKey` and the shared key it carries.
    public static func encapsulate(to publicKey: [UInt8], using random: inout some SSHRandomSource)
        throws(CryptoError) -> (ciphertext: [UInt8], sharedKey: SecureBytes)
    {
        guard publicKey.count == publicKeyBytes else {
            throw CryptoError(.invalidPublicValue, "sntrup761 public keys are \(publicKeyBytes) bytes, not \(publicKey.count)")
        }
        let cache = try hashPrefix(4, publicKey)
        let r = P.short(fromRandom: randomWords(&random))
        var rEncoded = E.encodeSmall(r)
        defer { rEncoded.wipe() }
        let ciphertext = try hide(rEncoded, r, publicKey: publicKey, cache: cache)
        return (ciphertext, try session(1, rEncoded, ciphertext))
    }

    /// The shared key in `ciphertext` for the key pair whose secret key is `secretKey`.
    public static func decapsulate(_ ciphertext: [UInt8], secretKey: SecureBytes) throws(CryptoError) -> SecureBytes {
        guard ciphertext.count == ciphertextBytes else {
            throw CryptoError(.invalidLength, "sntrup761 ciphertexts are \(ciphertextBytes) bytes, not \(ciphertext.count)")
        }
        guard secretKey.count == secretKeyBytes else {
            throw CryptoError(.invalidKeyLength, "sntrup761 secret keys are \(secretKeyBytes) bytes, not \(secretKey.count)")
        }
        var secret = secretKey.withUnsafeBytes { Array($0) }
        defer { secret.wipe() }
        let small = E.smallBytes
        let (f, gInverse) = secret.withUnsafeBufferPointer {
            (E.decodeSmall(UnsafeBufferPointer(rebasing: $0[0..<small])),
             E.decodeSmall(UnsafeBufferPointer(rebasing: $0[small..<(2 * small)])))
        }
        let keyStart = 2 * small
        let publicKey = Array(secret[keyStart..<(keyStart + publicKeyBytes)])
        let rhoStart = keyStart + publicKeyBytes
        let rho = secret[rhoStart..<(rhoStart + small)]
        let cache = Array(secret[(rhoStart + small)..<(rhoStart + small + hashBytes)])
        let c = ciphertext.withUnsafeBufferPointer { E.decodeRounded(UnsafeBufferPointer(rebasing: $0[0..<E.roundedBytes])) }
        // r = (3fc mod 3) / g, or a fixed weight-w polynomial when that is not of weight w.
        let e = P.multiply(c, small: f).map { P.freeze3(Int32(P.freezeQ(3 * Int32($0)))) }
        let ev = P.multiply3(e, gInverse)
        let mask = Int8(truncatingIfNeeded: P.weightMask(ev))
        var r = ev
        for i in 0..<P.w { r[i] = ((ev[i] ^ 1) & ~mask) ^ 1 }
        for i in P.w..<P.p { r[i] = ev[i] & ~mask }
        var rEncoded = E.encodeSmall(r)
        defer { rEncoded.wipe() }
        let expected = try hide(rEncoded, r, publicKey: publicKey, cache: cache)
        // When they differ, ρ stands in for r and the session prefix is 0 instead of 1.
        let mismatch = ConstantTime.mismatchMask(ciphertext, expected)
        var chosen = ConstantTime.select(mismatch, rEncoded, rho)
        defer { chosen.wipe() }
        return try session(1 &+ mismatch, chosen, ciphertext)
    }

    /// The ciphertext of r: its encryption rounded and encoded, and the confirmation hash.
    private static func hide(_ rEncoded: [UInt8], _ r: [Int8], publicKey: [UInt8], cache: [UInt8])
        throws(CryptoError) -> [UInt8]
    {
        let h = publicKey.withUnsafeBufferPointer { E.decodePublic($0) }
        var ciphertext = E.encodeRounded(P.round(P.multiply(h, small: r)))
        ciphertext += try hashPrefix(2, hashPrefix(3, rEncoded) + cache)
        return ciphertext
    }

    /// The session key: Hash_b(Hash_3(r) ‖ ciphertext).
    private static func session(_ prefix: UInt8, _ rEncoded: [UInt8], _ ciphertext: [UInt8])
        throws(CryptoError) -> SecureBytes
    {
        var input = try hashPrefix(3, rEncoded) + ciphertext
        defer { input.wipe() }
        var key = try hashPrefix(prefix, input)
        defer { key.wipe() }
        return SecureBytes(key)
    }

    /// The first 32 bytes of SHA-512(prefix ‖ input).
    private static func hashPrefix(_ prefix: UInt8, _ input: [UInt8]) throws(CryptoError) -> [UInt8] {
        var hasher = try DigestHasher(.sha512)
        hasher.update([prefix])
        hasher.update(input)
        return Array(try hasher.finalize()[0..<hashBytes])
    }

    /// p random 32-bit words, little-endian as the reference reads them.
    private static func randomWords(_ random: inout some SSHRandomSource) -> [UInt32] {
        var bytes = random.bytes(4 * P.p)
        defer { bytes.wipe() }
        var words = [UInt32](repeating: 0, count: P.p)
        for i in 0..<P.p {
            let b0 = UInt32(bytes[4 * i])
            let b1 = UInt32(bytes[4 * i + 1]) << 8
            let b2 = UInt32(bytes[4 * i + 2]) << 16
            let b3 = UInt32(bytes[4 * i + 3]) << 24
            words[i] = b0 | b1 | b2 | b3
        }
        return words
    }
}
