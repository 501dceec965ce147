import Foundation
import Testing

@testable import SSHCrypto

/// ML-KEM-768 (FIPS 203) as `mlkem768x25519-sha256` uses it, checked against another
/// implementation: key pairs derived from fixed seeds, and ciphertexts pyca/cryptography (OpenSSL's
/// ML-KEM) encapsulated to them (Fixtures/mlkem768/make-vectors.py).
struct MLKEM768Tests {
    private typealias Poly = MLKEMPolynomial

    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        let seed: String
        let encapsulationKeySHA256: String
        let ciphertext: String
        let sharedKey: String
        var testDescription: String { String(seed.prefix(16)) }
    }

    static let vectors: [Vector] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/mlkem768/vectors.json")
        guard let data = try? Data(contentsOf: url) else { return [] }
        return (try? JSONDecoder().decode([Vector].self, from: data)) ?? []
    }()

    @Test func sizesAreFIPS203s() {
        #expect(MLKEM768.encapsulationKeyBytes == 1184)
        #expect(MLKEM768.decapsulationKeyBytes == 2400)
        #expect(MLKEM768.ciphertextBytes == 1088)
        #expect(MLKEM768X25519KeyAgreement.clientValueBytes == 1216)
        #expect(MLKEM768X25519KeyAgreement.serverValueBytes == 1120)
        #expect(Self.vectors.count == 3)
    }

    @Test(arguments: vectors) func agreesWithOpenSSLsMLKEM(_ vector: Vector) throws {
        let seed = [UInt8](hex: vector.seed)
        let pair = try MLKEM768.generateKeyPair(d: Array(seed[0..<32]), z: Array(seed[32..<64]))
        #expect(try DigestAlgorithm.sha256.hash(pair.encapsulationKey).hex == vector.encapsulationKeySHA256)
        let key = try MLKEM768.decapsulate([UInt8](hex: vector.ciphertext), decapsulationKey: pair.decapsulationKey)
        #expect(key.withUnsafeBytes { Array($0) }.hex == vector.sharedKey)
    }

    @Test func encapsulatedKeyDecapsulates() throws {
        var random = SystemRandom()
        for _ in 0..<3 {
            let pair = try MLKEM768.generateKeyPair(using: &random)
            let (ciphertext, key) = try MLKEM768.encapsulate(to: pair.encapsulationKey, using: &random)
            #expect(ciphertext.count == 1088)
            let opened = try MLKEM768.decapsulate(ciphertext, decapsulationKey: pair.decapsulationKey)
            #expect(opened.withUnsafeBytes { Array($0) } == key.withUnsafeBytes { Array($0) })
        }
    }

    /// An altered ciphertext opens to J(z ‖ c), not to an error (implicit rejection).
    @Test(arguments: [0, 700, 959, 960, 1087]) func alteredCiphertextOpensToTheRejectionKey(index: Int) throws {
        let d = [UInt8](repeating: 1, count: 32)
        let z = [UInt8](repeating: 2, count: 32)
        let pair = try MLKEM768.generateKeyPair(d: d, z: z)
        let (ciphertext, key) = try MLKEM768.encapsulate(to: pair.encapsulationKey, message: [UInt8](repeating: 3, count: 32))
        var altered = ciphertext
        altered[index] ^= 0x10
        let opened = try MLKEM768.decapsulate(altered, decapsulationKey: pair.decapsulationKey)
        #expect(opened.withUnsafeBytes { Array($0) } != key.withUnsafeBytes { Array($0) })
        #expect(opened.withUnsafeBytes { Array($0) } == (try Keccak.shake256(z, altered, length: 32)))
    }

    @Test func malformedInputsThrow() throws {
        var random = SystemRandom()
        let pair = try MLKEM768.generateKeyPair(using: &random)
        #expect(throws: CryptoError.self) { try MLKEM768.encapsulate(to: Array(pair.encapsulationKey.dropLast()), using: &random) }
        // A coefficient of 4095 ≥ q fails the modulus check.
        var unreduced = pair.encapsulationKey
        unreduced[0] = 0xFF
        unreduced[1] |= 0x0F
        #expect(throws: CryptoError.self) { try MLKEM768.encapsulate(to: unreduced, using: &random) }
        #expect(throws: CryptoError.self) {
            try MLKEM768.decapsulate([UInt8](repeating: 0, count: 1087), decapsulationKey: pair.decapsulationKey)
        }
        #expect(throws: CryptoError.self) { try MLKEM768.generateKeyPair(d: [1], z: [2]) }
    }

    @Test func nttInverts() {
        var random = SystemRandom()
        let f = Poly((0..<256).map { _ in UInt16(random.next() % 3329) })
        #expect(f.ntt().inverseNTT() == f)
        // The NTT turns the ring product into the pointwise one: X · X^255 = X^256 = −1.
        var x = [UInt16](repeating: 0, count: 256)
        x[1] = 1
        var x255 = [UInt16](repeating: 0, count: 256)
        x255[255] = 1
        var minusOne = [UInt16](repeating: 0, count: 256)
        minusOne[0] = 3328
        #expect(Poly(x).ntt().multiplyNTT(Poly(x255).ntt()).inverseNTT() == Poly(minusOne))
        for value: UInt32 in [0, 1, 3328, 3329, 6657, 6658, 11_082_241, UInt32.max] {
            #expect(UInt32(Poly.reduce(value)) == value % 3329)
        }
    }

    @Test func hybridSidesAgree() throws {
        var random = SystemRandom()
        let client = try MLKEM768X25519KeyAgreement(using: &random)
        #expect(client.publicValue.count == 1216)
        let server = try MLKEM768X25519KeyAgreement(respondingTo: client.publicValue, using: &random)
        #expect(server.publicValue.count == 1120)
        let clientSecret = try client.sharedSecret(with: server.publicValue)
        let serverSecret = try server.sharedSecret(with: client.publicValue)
        #expect(clientSecret.count == 32)
        #expect(clientSecret.withUnsafeBytes { Array($0) } == serverSecret.withUnsafeBytes { Array($0) })
        #expect(throws: CryptoError.self) { try client.sharedSecret(with: [UInt8](repeating: 0, count: 1119)) }
    }
}
