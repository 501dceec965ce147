import Testing

@testable import SSHCrypto

@Suite("Argon2 and BLAKE2b")
struct Argon2Tests {
    // RFC 9106 §5.1–5.3: password 32 × 0x01, salt 16 × 0x02, secret 8 × 0x03, associated data
    // 12 × 0x04, 32 KiB, 3 passes, 4 lanes, 32-byte tag.
    @Test(arguments: [
        (Argon2.Variant.argon2d, "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb"),
        (Argon2.Variant.argon2i, "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8"),
        (Argon2.Variant.argon2id, "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659"),
    ])
    func rfc9106Vectors(_ variant: Argon2.Variant, _ tag: String) throws {
        let derived = try Argon2.derive(
            variant, password: SecureBytes([UInt8](repeating: 1, count: 32)),
            salt: [UInt8](repeating: 2, count: 16), secret: [UInt8](repeating: 3, count: 8),
            associatedData: [UInt8](repeating: 4, count: 12), memoryKiB: 32, passes: 3, parallelism: 4,
            tagLength: 32)
        #expect(derived.unsafeArray.hex == tag)
    }

    @Test(arguments: [
        (0, 1, 1), (8, 0, 1), (8, 1, 0), (Argon2.maximumMemoryKiB + 1, 1, 1), (8, Argon2.maximumPasses + 1, 1),
        (8, 1, Argon2.maximumParallelism + 1), (Argon2.maximumMemoryKiB, 100, 1),
    ])
    func absurdCostsAreRefused(_ memory: Int, _ passes: Int, _ lanes: Int) {
        expectKeyFileError(.kdfRoundsOutOfRange) {
            _ = try Argon2.derive(
                .argon2id, password: SecureBytes([1]), salt: [UInt8](repeating: 0, count: 16), memoryKiB: memory,
                passes: passes, parallelism: lanes, tagLength: 80)
        }
    }

    @Test func parametersOutsideTheRFCAreRefused() {
        expectKeyFileError(.unsupportedKDF) {  // under 8 KiB per lane
            _ = try Argon2.derive(
                .argon2id, password: SecureBytes([1]), salt: [UInt8](repeating: 0, count: 16), memoryKiB: 15,
                passes: 1, parallelism: 2, tagLength: 80)
        }
        expectKeyFileError(.unsupportedKDF) {  // salt under 8 bytes
            _ = try Argon2.derive(
                .argon2id, password: SecureBytes([1]), salt: [1, 2, 3], memoryKiB: 64, passes: 1, parallelism: 1,
                tagLength: 80)
        }
    }

    // Digests from Python's hashlib.blake2b(data, digest_size=n).
    @Test(
        arguments: [
            (Array("abc".utf8), 32, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
            (
                [], 48,
                "b32811423377f52d7862286ee1a72ee540524380fda1724a6f25d7978c6fd3244a6caf0498812673c5e05ef583825100"
            ),
            (
                Array(0...255) + Array(0...255), 48,
                "24391b10c2612b0542bf878573ab6af4e514477fc03e4da592628bf2750f632207b24cdb29da3622b99c802b3895bbb6"
            ),
            (Array(0..<128), 20, "e6992372ab022447b34f6d6032fbab707a11adef"),
        ] as [([UInt8], Int, String)])
    func blake2bShortDigests(_ message: [UInt8], _ length: Int, _ digest: String) throws {
        #expect(try Blake2b.hash([message], outputLength: length).hex == digest)
    }

    /// The portable BLAKE2b agrees with libcrypto's BLAKE2B-512 at the one length both have.
    @Test(arguments: [0, 1, 127, 128, 129, 1024])
    func blake2bAgreesWithLibcrypto(_ length: Int) throws {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(Blake2b.portableHash(message, outputLength: 64) == (try Blake2b.hash([message], outputLength: 64)))
    }
}
