/// bcrypt_pbkdf, OpenBSD's PBKDF2 variant with bcrypt as the core hash, which OpenSSH uses to turn a
/// passphrase into the key and IV of an `openssh-key-v1` file (PROTOCOL.key; OpenBSD
/// `lib/libutil/bcrypt_pbkdf.c`).
public enum BcryptPBKDF {
    /// Rounds above this are refused as absurd: OpenSSH writes 16 by default and each round costs
    /// about a millisecond of Blowfish key schedules per 32 output bytes.
    public static let maximumRounds = 10_000
    /// The longest key this construction can produce (32 × 32 bytes).
    public static let maximumKeyLength = 1024

    private static let hashWords = 8
    private static let magic = Array("OxychromaticBlowfishSwatDynamite".utf8)

    /// Derives `keyLength` bytes from `passphrase` and `salt` with `rounds` rounds.
    public static func derive(
        passphrase: SecureBytes, salt: [UInt8], rounds: Int, keyLength: Int
    ) throws(KeyFileError) -> SecureBytes {
        guard (1...maximumRounds).contains(rounds) else {
            throw KeyFileError(.kdfRoundsOutOfRange, "bcrypt rounds \(rounds) outside 1…\(maximumRounds)")
        }
        guard passphrase.count > 0, !salt.isEmpty, salt.count <= 1 << 20,
            (1...maximumKeyLength).contains(keyLength)
        else {
            throw KeyFileError(.unsupportedKDF, "bcrypt_pbkdf parameters out of range")
        }
        do {
            return try deriveChecked(passphrase: passphrase, salt: salt, rounds: rounds, keyLength: keyLength)
        } catch {
            throw KeyFileError(.crypto, "bcrypt_pbkdf: \(error)")
        }
    }

    private static func deriveChecked(
        passphrase: SecureBytes, salt: [UInt8], rounds: Int, keyLength: Int
    ) throws(CryptoError) -> SecureBytes {
        let blockLength = hashWords * 4
        let stride = (keyLength + blockLength - 1) / blockLength
        let amount = (keyLength + stride - 1) / stride
        let passwordHash = try passphrase.withUnsafeBytes { bytes throws(CryptoError) in
            try DigestAlgorithm.sha512.hash(bytes)
        }
        var key = [UInt8](repeating: 0, count: keyLength)
        defer { key.zeroize() }
        var count: UInt32 = 1
        var remaining = keyLength
        while remaining > 0 {
            let countBytes = withUnsafeBytes(of: count.bigEndian) { Array($0) }
            var saltHash = try DigestAlgorithm.sha512.hash(salt + countBytes)
            var block = bcryptHash(password: passwordHash, salt: saltHash)
            var output = block
            for _ in 1..<max(rounds, 1) {
                saltHash = try DigestAlgorithm.sha512.hash(block)
                block = bcryptHash(password: passwordHash, salt: saltHash)
                for index in output.indices { output[index] ^= block[index] }
            }
            var written = 0
            for index in 0..<min(amount, remaining) {
                let destination = index * stride + Int(count - 1)
                if destination >= keyLength { break }
                key[destination] = output[index]
                written += 1
            }
            remaining -= written
            count += 1
        }
        return SecureBytes(key)
    }

    /// bcrypt_hash: eksblowfish keyed by SHA512(passphrase) and SHA512(salt), encrypting the magic
    /// string 64 times; output words little-endian.
    static func bcryptHash(password: [UInt8], salt: [UInt8]) -> [UInt8] {
        var state = BlowfishState()
        password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                state.expand(key: passwordBytes, data: saltBytes)
                for _ in 0..<64 {
                    state.expand(key: saltBytes, data: nil)
                    state.expand(key: passwordBytes, data: nil)
                }
            }
        }
        var words = (0..<hashWords).map { index in
            magic[(index * 4)..<(index * 4 + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        for _ in 0..<64 { state.encrypt(&words) }
        return words.flatMap { word in withUnsafeBytes(of: word.littleEndian) { Array($0) } }
    }
}
