import SSHCrypto
import Testing

@Suite("bcrypt_pbkdf")
struct BcryptPBKDFTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        var password: [UInt8]
        var salt: [UInt8]
        var rounds: Int
        var key: String
        var testDescription: String { "\(password.count)-byte password, \(salt.count)-byte salt" }
    }

    // OpenBSD's regress vectors for bcrypt_pbkdf, as collected in RustCrypto's bcrypt-pbkdf tests.
    static let vectors: [Vector] = [
        Vector(
            password: Array("password".utf8), salt: Array("salt".utf8), rounds: 4,
            key: "5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9"),
        Vector(password: Array("password".utf8), salt: [0], rounds: 4, key: "c12b566235eee04c212598970a579a67"),
        Vector(password: [0], salt: Array("salt".utf8), rounds: 4, key: "6051be18c2f4f82cbf0efee5471b4bb9"),
        Vector(
            password: Array("password".utf8) + [0], salt: Array("salt".utf8) + [0], rounds: 4,
            key: "7410e44cf4fa07bfaac8a928b1727fac001375e7bf7384370f48efd121743050"),
    ]

    @Test(arguments: vectors)
    func openBSDVectors(_ vector: Vector) throws {
        let key = try BcryptPBKDF.derive(
            passphrase: SecureBytes(vector.password), salt: vector.salt, rounds: vector.rounds,
            keyLength: vector.key.count / 2)
        #expect(key.unsafeArray.hex == vector.key)
    }

    @Test(arguments: [0, BcryptPBKDF.maximumRounds + 1, Int(UInt32.max)])
    func absurdRoundsAreRefused(_ rounds: Int) {
        expectKeyFileError(.kdfRoundsOutOfRange) {
            _ = try BcryptPBKDF.derive(passphrase: SecureBytes([1]), salt: [1], rounds: rounds, keyLength: 48)
        }
    }
}
