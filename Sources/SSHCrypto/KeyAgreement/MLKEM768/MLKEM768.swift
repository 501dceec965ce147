/// ML-KEM-768 (FIPS 203), the key encapsulation mechanism of the `mlkem768x25519-sha256` key
/// exchange: a 1184-byte encapsulation key, a 2400-byte decapsulation key, a 1088-byte ciphertext
/// and a 32-byte shared key. Decapsulating a ciphertext not made for the key yields a key derived
/// from the secret z instead of failing (implicit rejection), in the same time.
public enum MLKEM768 {
    private typealias Poly = MLKEMPolynomial
    private static let k = 3
    private static let eta1 = 2
    private static let eta2 = 2
    private static let du = 10
    private static let dv = 4

    /// Encapsulation key bytes.
    public static let encapsulationKeyBytes = 384 * k + 32
    /// Decapsulation key bytes: the PKE key, the encapsulation key, its hash and z.
    public static let decapsulationKeyBytes = 768 * k + 96
    /// Ciphertext bytes.
    public static let ciphertextBytes = 32 * (du * k + dv)
    /// Shared key bytes.
    public static let sharedKeyBytes = 32

    /// A key pair: the encapsulation key to send and the decapsulation key to keep.
    public struct KeyPair: Sendable {
        /// The encapsulation key (``MLKEM768/encapsulationKeyBytes`` bytes).
        public let encapsulationKey: [UInt8]
        /// The decapsulation key (``MLKEM768/decapsulationKeyBytes`` bytes).
        public let decapsulationKey: SecureBytes
    }

    /// A new key pair, with randomness from `random` (ML-KEM.KeyGen, Algorithm 19).
    public static func generateKeyPair(using random: inout some SSHRandomSource) throws(CryptoError) -> KeyPair {
        let seed = random.secureBytes(64)
        return try seed.withUnsafeBytes { bytes throws(CryptoError) in
            try generateKeyPair(d: Array(bytes[0..<32]), z: Array(bytes[32..<64]))
        }
    }

    /// The key pair of seeds d and z (ML-KEM.KeyGen_internal, Algorithm 16): the same seeds
    /// give the same keys, as FIPS 203's 64-byte seed form of a private key.
    public static func generateKeyPair(d: [UInt8], z: [UInt8]) throws(CryptoError) -> KeyPair {
        guard d.count == 32, z.count == 32 else {
            throw CryptoError(.invalidKeyLength, "ML-KEM seeds are two 32-byte values")
        }
        // K-PKE.KeyGen (Algorithm 13).
        let g = try Keccak.sha3_512(d, [UInt8(k)])
        let rho = Array(g[0..<32])
        let sigma = Array(g[32..<64])
        let matrix = try matrix(rho)
        var counter: UInt8 = 0
        var s: [Poly] = []
        var e: [Poly] = []
        for _ in 0..<k {
            s.append(Poly.sampleCBD(try prf(sigma, counter, eta: eta1), eta: eta1).ntt())
            counter += 1
        }
        for _ in 0..<k {
            e.append(Poly.sampleCBD(try prf(sigma, counter, eta: eta1), eta: eta1).ntt())
            counter += 1
        }
        var encapsulationKey: [UInt8] = []
        for i in 0..<k {
            var t = e[i]
            for j in 0..<k { t = t + matrix[i][j].multiplyNTT(s[j]) }
            encapsulationKey += Poly.encode(t.coefficients, bits: 12)
        }
        encapsulationKey += rho
        var secret: [UInt8] = []
        for i in 0..<k { secret += Poly.encode(s[i].coefficients, bits: 12) }
        secret += encapsulationKey
        secret += try Keccak.sha3_256(encapsulationKey)
        secret += z
        defer { secret.wipe() }
        return KeyPair(encapsulationKey: encapsulationKey, decapsulationKey: SecureBytes(secret))
    }

    /// A ciphertext for `encapsulationKey` and the shared key it carries (ML-KEM.Encaps, Algorithm 20).
    /// A key with a coefficient not below q is refused (FIPS 203 §7.2's modulus check).
    public static func encapsulate(to encapsulationKey: [UInt8], using random: inout some SSHRandomSource)
        throws(CryptoError) -> (ciphertext: [UInt8], sharedKey: SecureBytes)
    {
        let message = random.bytes(32)
        return try encapsulate(to: encapsulationKey, message: message)
    }

    /// Encapsulation with a given 32-byte message m (ML-KEM.Encaps_internal, Algorithm 17).
    static func encapsulate(to encapsulationKey: [UInt8], message: [UInt8]) throws(CryptoError)
        -> (ciphertext: [UInt8], sharedKey: SecureBytes)
    {
        guard encapsulationKey.count == encapsulationKeyBytes else {
            throw CryptoError(
                .invalidPublicValue, "ML-KEM-768 encapsulation keys are \(encapsulationKeyBytes) bytes, not \(encapsulationKey.count)")
        }
        for i in 0..<k {
            let values = Poly.decode(encapsulationKey[(384 * i)..<(384 * (i + 1))], bits: 12)
            guard values.allSatisfy({ UInt32($0) < Poly.q }) else {
                throw CryptoError(.invalidPublicValue, "ML-KEM-768 encapsulation key has a coefficient not below q")
            }
        }
        let g = try Keccak.sha3_512(message, Keccak.sha3_256(encapsulationKey))
        let ciphertext = try encrypt(encapsulationKey, message: message, randomness: Array(g[32..<64]))
        return (ciphertext, SecureBytes(g[0..<32]))
    }

    /// The shared key in `ciphertext` for `decapsulationKey` (ML-KEM.Decaps, Algorithm 21).
    public static func decapsulate(_ ciphertext: [UInt8], decapsulationKey: SecureBytes) throws(CryptoError) -> SecureBytes {
        guard ciphertext.count == ciphertextBytes else {
            throw CryptoError(.invalidLength, "ML-KEM-768 ciphertexts are \(ciphertextBytes) bytes, not \(ciphertext.count)")
        }
        guard decapsulationKey.count == decapsulationKeyBytes else {
            throw CryptoError(.invalidKeyLength, "ML-KEM-768 decapsulation keys are \(decapsulationKeyBytes) bytes")
        }
        var key = decapsulationKey.withUnsafeBytes { Array($0) }
        defer { key.wipe() }
        let encapsulationKey = Array(key[(384 * k)..<(768 * k + 32)])
        let hash = Array(key[(768 * k + 32)..<(768 * k + 64)])
        let z = Array(key[(768 * k + 64)..<(768 * k + 96)])
        // K-PKE.Decrypt (Algorithm 15).
        var u: [Poly] = []
        for i in 0..<k {
            let values = Poly.decode(ciphertext[(32 * du * i)..<(32 * du * (i + 1))], bits: du)
            u.append(Poly.decompressed(values, du).ntt())
        }
        let v = Poly.decompressed(Poly.decode(ciphertext[(32 * du * k)...], bits: dv), dv)
        var product = Poly()
        for i in 0..<k {
            let s = Poly(Poly.decode(key[(384 * i)..<(384 * (i + 1))], bits: 12))
            product = product + s.multiplyNTT(u[i])
        }
        var message = Poly.encode((v - product.inverseNTT()).compressed(1), bits: 1)
        defer { message.wipe() }
        let g = try Keccak.sha3_512(message, hash)
        let rejection = try Keccak.shake256(z, ciphertext, length: 32)
        let expected = try encrypt(encapsulationKey, message: message, randomness: Array(g[32..<64]))
        // When they differ, the rejection key replaces K.
        var shared = ConstantTime.select(ConstantTime.mismatchMask(ciphertext, expected), Array(g[0..<32]), rejection)
        defer { shared.wipe() }
        return SecureBytes(shared)
    }

    /// K-PKE.Encrypt (Algorithm 14).
    private static func encrypt(_ encapsulationKey: [UInt8], message: [UInt8], randomness r: [UInt8])
        throws(CryptoError) -> [UInt8]
    {
        let rho = Array(encapsulationKey[(384 * k)...])
        let matrix = try matrix(rho)
        var t: [Poly] = []
        for i in 0..<k { t.append(Poly(Poly.decode(encapsulationKey[(384 * i)..<(384 * (i + 1))], bits: 12))) }
        var counter: UInt8 = 0
        var y: [Poly] = []
        for _ in 0..<k {
            y.append(Poly.sampleCBD(try prf(r, counter, eta: eta1), eta: eta1).ntt())
            counter += 1
        }
        var e1: [Poly] = []
        for _ in 0..<k {
            e1.append(Poly.sampleCBD(try prf(r, counter, eta: eta2), eta: eta2))
            counter += 1
        }
        let e2 = Poly.sampleCBD(try prf(r, counter, eta: eta2), eta: eta2)
        var ciphertext: [UInt8] = []
        for i in 0..<k {
            var sum = Poly()
            for j in 0..<k { sum = sum + matrix[j][i].multiplyNTT(y[j]) }
            let u = sum.inverseNTT() + e1[i]
            ciphertext += Poly.encode(u.compressed(du), bits: du)
        }
        var sum = Poly()
        for j in 0..<k { sum = sum + t[j].multiplyNTT(y[j]) }
        let mu = Poly.decompressed(Poly.decode(message[...], bits: 1), 1)
        let v = sum.inverseNTT() + e2 + mu
        ciphertext += Poly.encode(v.compressed(dv), bits: dv)
        return ciphertext
    }

    /// Â, with Â[i][j] = SampleNTT(ρ ‖ j ‖ i).
    private static func matrix(_ rho: [UInt8]) throws(CryptoError) -> [[Poly]] {
        var rows: [[Poly]] = []
        for i in 0..<k {
            var row: [Poly] = []
            for j in 0..<k { row.append(try Poly.sampleNTT(seed: rho, UInt8(j), UInt8(i))) }
            rows.append(row)
        }
        return rows
    }

    /// PRF_η(s, b) = SHAKE256(s ‖ b), 64·η bytes.
    private static func prf(_ seed: [UInt8], _ counter: UInt8, eta: Int) throws(CryptoError) -> [UInt8] {
        try Keccak.shake256(seed, [counter], length: 64 * eta)
    }
}
