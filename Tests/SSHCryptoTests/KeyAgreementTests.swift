import COpenSSL
import Testing

@testable import SSHCrypto

@Suite struct KeyAgreementTests {
    /// RFC 7748 §5.2, first vector: scalar × u-coordinate.
    @Test func x25519RFC7748Section5_2() throws {
        let agreement = try X25519KeyAgreement(
            privateKey: SecureBytes([UInt8](hex: "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")))
        let secret = try agreement.sharedSecret(
            with: [UInt8](hex: "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
        #expect(secret.unsafeArray.hex == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
    }

    /// RFC 7748 §6.1: Alice and Bob.
    @Test func x25519RFC7748Section6_1() throws {
        let alice = try X25519KeyAgreement(
            privateKey: SecureBytes([UInt8](hex: "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")))
        let bob = try X25519KeyAgreement(
            privateKey: SecureBytes([UInt8](hex: "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")))
        #expect(alice.publicValue.hex == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(bob.publicValue.hex == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(try alice.sharedSecret(with: bob.publicValue).unsafeArray.hex == shared)
        #expect(try bob.sharedSecret(with: alice.publicValue).unsafeArray.hex == shared)
    }

    @Test func x25519RejectsLowOrderPointsAndBadLengths() throws {
        var random = SystemRandom()
        let agreement = try X25519KeyAgreement(using: &random)
        #expect(throws: CryptoError.self) { _ = try agreement.sharedSecret(with: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) { _ = try agreement.sharedSecret(with: [UInt8](repeating: 9, count: 31)) }
    }

    /// RFC 5903 §8.1: ECDH on P-256.
    @Test func ecdhRFC5903P256() throws {
        let initiator = try ECDHKeyAgreement(
            curve: .p256,
            privateKey: SecureBytes([UInt8](hex: "C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433")))
        let responder = try ECDHKeyAgreement(
            curve: .p256,
            privateKey: SecureBytes([UInt8](hex: "C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53")))
        #expect(
            initiator.publicValue.hex
                == "04dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
                + "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3")
        #expect(
            responder.publicValue.hex
                == "04d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
                + "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab")
        let expected = "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de"
        #expect(try initiator.sharedSecret(with: responder.publicValue).unsafeArray.hex == expected)
        #expect(try responder.sharedSecret(with: initiator.publicValue).unsafeArray.hex == expected)
    }

    @Test(arguments: ECDHKeyAgreement.Curve.allCases)
    func ecdhAgreesAndRejectsBadPoints(curve: ECDHKeyAgreement.Curve) throws {
        var random = SystemRandom()
        let a = try ECDHKeyAgreement(curve: curve, using: &random)
        let b = try ECDHKeyAgreement(curve: curve, using: &random)
        #expect(a.publicValue.count == 1 + 2 * curve.coordinateLength)
        let ab = try a.sharedSecret(with: b.publicValue)
        #expect(ab.count == curve.coordinateLength)
        #expect(ab.constantTimeEquals(try b.sharedSecret(with: a.publicValue)))

        var offCurve = b.publicValue
        offCurve[offCurve.count - 1] ^= 1
        #expect(throws: CryptoError.self) { _ = try a.sharedSecret(with: offCurve) }
        #expect(throws: CryptoError.self) { _ = try a.sharedSecret(with: b.publicValue.dropLast()) }
        var compressed = b.publicValue
        compressed[0] = 0x02
        #expect(throws: CryptoError.self) { _ = try a.sharedSecret(with: compressed) }
        #expect(throws: CryptoError.self) {
            _ = try a.sharedSecret(with: [0x04] + [UInt8](repeating: 0, count: 2 * curve.coordinateLength))
        }
    }

    /// The MODP groups: their sizes, the fixed leading and trailing 64 bits of every MODP prime,
    /// and (for the sizes where it is quick) that p and (p-1)/2 are prime.
    @Test(arguments: [
        (DiffieHellmanGroup.group1, 1024, true), (.group14, 2048, true), (.group16, 4096, false),
        (.group18, 8192, false),
    ])
    func modpGroups(group: DiffieHellmanGroup, bits: Int, checkPrimality: Bool) throws {
        #expect(group.bits == bits)
        #expect(group.generator == [2])
        #expect(Array(group.prime.prefix(16)).hex == "ffffffffffffffffc90fdaa22168c234")
        #expect(Array(group.prime.suffix(8)).hex == "ffffffffffffffff")
        if checkPrimality {
            let p = try #require(group.prime.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) })
            defer { BN_free(p) }
            let context = BN_CTX_new()
            defer { BN_CTX_free(context) }
            #expect(BN_check_prime(p, context, nil) == 1)
            let q = try #require(BN_dup(p))
            defer { BN_free(q) }
            #expect(BN_rshift1(q, q) == 1)
            #expect(BN_check_prime(q, context, nil) == 1)
        }
    }

    @Test(arguments: [DiffieHellmanGroup.group1, .group14, .group16])
    func diffieHellmanAgreesAndRejectsDegenerateValues(group: DiffieHellmanGroup) throws {
        var random = SystemRandom()
        let a = try DiffieHellmanKeyAgreement(group: group, using: &random)
        let b = try DiffieHellmanKeyAgreement(group: group, using: &random)
        #expect(try a.sharedSecret(with: b.publicValue).constantTimeEquals(try b.sharedSecret(with: a.publicValue)))
        var pMinusOne = group.prime
        pMinusOne[pMinusOne.count - 1] -= 1
        for bad in [[], [0], [1], pMinusOne, group.prime, group.prime + [0]] as [[UInt8]] {
            #expect(throws: CryptoError.self) { _ = try a.sharedSecret(with: bad) }
        }
    }

    @Test func diffieHellmanKnownExponent() throws {
        // A small-exponent check computed independently: 2^5 mod p = 32 for any group larger than 32.
        let agreement = try DiffieHellmanKeyAgreement(group: .group14, privateExponent: SecureBytes([5]))
        #expect(agreement.publicValue == [32])
        #expect(throws: CryptoError.self) {
            _ = try DiffieHellmanKeyAgreement(group: DiffieHellmanGroup(prime: [0xff, 0xfb], generator: [2]),
                privateExponent: SecureBytes([5]))
        }
    }
}
