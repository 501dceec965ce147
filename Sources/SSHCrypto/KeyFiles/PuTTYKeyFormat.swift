import NIOCore
import SSHWire

/// PuTTY's private key file, `.ppk` versions 2 and 3 (PuTTY manual appendix C, "PPK file format";
/// PuTTY `sshpubk.c`): `Name: value` header lines in a fixed order, the public blob and the private
/// fields in base64 lines, and a MAC over both.
enum PuTTYKeyFormat {
    static let magic = "PuTTY-User-Key-File-"
    /// PuTTY's limit on a key blob (`MAX_KEY_BLOB_SIZE`), and so on its line counts.
    static let maximumBlobSize = 262_144
    static let maximumBlobLines = maximumBlobSize / 48
    static let bytesPerLine = 48
    static let cipherName = "aes256-cbc"
    static let cipherKeyLength = 32
    static let cipherBlockLength = 16
    static let macKeyLength = 32
    static let saltLength = 16

    static let certificateSuffix = "-cert-v01@openssh.com"

    /// The plain key algorithm of a certificate-bearing file's (`puttygen --certificate`, PuTTY 0.78):
    /// `ssh-ed25519-cert-v01@openssh.com` → `ssh-ed25519`. Such a file stores the certificate as
    /// its public blob and the plain key's private fields.
    static func baseAlgorithm(_ algorithm: String) -> String {
        algorithm.hasSuffix(certificateSuffix) ? String(algorithm.dropLast(certificateSuffix.count)) : algorithm
    }

    /// Whether `text` starts as a PPK file does.
    static func recognises(_ text: String) -> Bool {
        text.drop(while: { $0.isWhitespace }).hasPrefix(magic)
    }

    /// The Argon2 header of a version 3 encrypted file.
    struct KeyDerivation {
        var variant: Argon2.Variant
        var memoryKiB: Int
        var passes: Int
        var parallelism: Int
        var salt: [UInt8]
    }

    /// A PPK file's fields as written, the private blob still encrypted.
    struct File {
        var version: Int
        var algorithm: String
        var encrypted: Bool
        var comment: String
        var publicBlob: [UInt8]
        var derivation: KeyDerivation?
        var privateBlob: [UInt8]
        var mac: [UInt8]

        var encryptionName: String { encrypted ? PuTTYKeyFormat.cipherName : "none" }
    }

    // MARK: Parsing

    /// Splits the text into its header lines and blobs, checking each as PuTTY does.
    static func parse(_ text: String, publicOnly: Bool = false) throws(KeyFileError) -> File {
        var lines = LineReader(text)
        let (first, algorithm) = try lines.header()
        guard first.hasPrefix(magic) else { throw KeyFileError(.unsupportedFormat, "not a PuTTY key file") }
        let version: Int
        switch first.dropFirst(magic.count) {
        case "2": version = 2
        case "3": version = 3
        case "1": throw KeyFileError(.unsupportedFormat, "PPK version 1 files (PuTTY before 0.52) are not supported")
        default: throw KeyFileError(.unsupportedFormat, "\(first) is not a PPK version this library reads")
        }
        guard SSHKeyType(sshName: baseAlgorithm(algorithm)) != nil else {
            throw KeyFileError(.unsupportedKeyType, "PPK key algorithm \(algorithm.debugDescription) is not supported")
        }
        let encryption = try lines.value("Encryption")
        let encrypted: Bool
        switch encryption {
        case "none": encrypted = false
        case cipherName: encrypted = true
        default:
            throw KeyFileError(.unsupportedCipher, "PPK encryption \(encryption.debugDescription) is not supported")
        }
        let comment = try lines.value("Comment")
        let publicBlob = try lines.blob("Public-Lines")
        var file = File(
            version: version, algorithm: algorithm, encrypted: encrypted, comment: comment, publicBlob: publicBlob,
            derivation: nil, privateBlob: [], mac: [])
        if publicOnly { return file }
        if version == 3, encrypted {
            file.derivation = try lines.keyDerivation()
        }
        file.privateBlob = try lines.blob("Private-Lines")
        let macText = try lines.value("Private-MAC")
        guard let mac = Hex.decode(macText), macText.count == (version == 2 ? 40 : 64) else {
            throw KeyFileError(.corrupt, "Private-MAC is not \(version == 2 ? 40 : 64) hex digits")
        }
        file.mac = mac
        guard lines.atEnd else { throw KeyFileError(.corrupt, "text after Private-MAC") }
        if encrypted, file.privateBlob.count % cipherBlockLength != 0 {
            throw KeyFileError(.corrupt, "the encrypted private blob is not a whole number of AES blocks")
        }
        return file
    }

    /// The lines of a PPK file, read in order.
    private struct LineReader {
        private var lines: [Substring]
        private var index = 0

        init(_ text: String) {
            // "\r\n" is one Character in Swift, so split on either.
            var all = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            while let last = all.last, last.allSatisfy(\.isWhitespace) { all.removeLast() }
            lines = Array(all.drop(while: { $0.allSatisfy(\.isWhitespace) }))
        }

        var atEnd: Bool { index == lines.count }

        mutating func next() throws(KeyFileError) -> Substring {
            guard index < lines.count else { throw KeyFileError(.corrupt, "the PPK file ends early") }
            defer { index += 1 }
            return lines[index]
        }

        /// `Name: value`, PuTTY's header line.
        mutating func header() throws(KeyFileError) -> (String, String) {
            let line = try next()
            guard let colon = line.firstIndex(of: ":"), line[line.index(after: colon)...].hasPrefix(" ") else {
                throw KeyFileError(.corrupt, "PPK line \(index) is not a `Name: value` header")
            }
            return (String(line[..<colon]), String(line[line.index(colon, offsetBy: 2)...]))
        }

        mutating func value(_ name: String) throws(KeyFileError) -> String {
            let (found, value) = try header()
            guard found == name else { throw KeyFileError(.corrupt, "expected the PPK header \(name), found \(found)") }
            return value
        }

        mutating func count(_ name: String, in range: ClosedRange<Int>) throws(KeyFileError) -> Int {
            let text = try value(name)
            guard text.count <= 10, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let number = Int(text)
            else {
                throw KeyFileError(.corrupt, "\(name) is not a decimal number")
            }
            guard range.contains(number) else {
                throw KeyFileError(.kdfRoundsOutOfRange, "\(name) \(number) is outside \(range)")
            }
            return number
        }

        /// `Name: N` and N lines of base64, each a whole number of 4-character groups.
        mutating func blob(_ name: String) throws(KeyFileError) -> [UInt8] {
            let text = try value(name)
            guard text.count <= 10, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let count = Int(text),
                count <= maximumBlobLines
            else {
                throw KeyFileError(
                    .corrupt, "\(name) \(text.debugDescription) is not a line count up to \(maximumBlobLines)")
            }
            var bytes: [UInt8] = []
            for _ in 0..<count {
                let line = try next()
                guard line.utf8.count % 4 == 0, !line.contains(" "), let decoded = Base64.decode(line.utf8) else {
                    throw KeyFileError(.corrupt, "\(name): line \(index) is not base64")
                }
                bytes += decoded
            }
            return bytes
        }

        mutating func keyDerivation() throws(KeyFileError) -> KeyDerivation {
            let name = try value("Key-Derivation")
            let variant: Argon2.Variant
            switch name {
            case "Argon2id": variant = .argon2id
            case "Argon2i": variant = .argon2i
            case "Argon2d": variant = .argon2d
            default: throw KeyFileError(.unsupportedKDF, "PPK key derivation \(name.debugDescription) is not supported")
            }
            let memory = try count("Argon2-Memory", in: 1...Argon2.maximumMemoryKiB)
            let passes = try count("Argon2-Passes", in: 1...Argon2.maximumPasses)
            let parallelism = try count("Argon2-Parallelism", in: 1...Argon2.maximumParallelism)
            let saltText = try value("Argon2-Salt")
            guard saltText.count % 2 == 0, saltText.count <= 2048, let salt = Hex.decode(saltText), !salt.isEmpty else {
                throw KeyFileError(.corrupt, "Argon2-Salt is not hex")
            }
            return KeyDerivation(
                variant: variant, memoryKiB: memory, passes: passes, parallelism: parallelism, salt: salt)
        }
    }

    // MARK: Reading

    /// The public key and comment, which a PPK file holds in the clear.
    static func readPublicKey(_ text: String) throws(KeyFileError) -> (key: SSHPublicKey, comment: String) {
        let file = try parse(text, publicOnly: true)
        let key: SSHPublicKey
        do {
            key = try SSHPublicKey(blob: file.publicBlob)
        } catch {
            throw KeyFileError(.corrupt, "PPK public blob: \(error)")
        }
        guard key.keyType == file.algorithm else {
            throw KeyFileError(.corrupt, "the PPK header says \(file.algorithm) but the public blob is \(key.keyType)")
        }
        return (key, file.comment)
    }

    /// Reads, authenticates and decrypts a PPK file.
    static func read(_ text: String, passphrase: SecureBytes?) throws(KeyFileError) -> SSHPrivateKey {
        let file = try parse(text)
        if file.encrypted, (passphrase?.count ?? 0) == 0 {
            throw KeyFileError(.passphraseRequired, "the PuTTY key is encrypted with \(cipherName)")
        }
        let secret = file.encrypted ? passphrase : nil
        let keys = try derive(version: file.version, passphrase: secret, derivation: file.derivation)
        var plain = file.privateBlob
        defer { plain.zeroize() }
        if let cipherMaterial = keys.cipher {
            do {
                plain = try KeyFileCipher.named(cipherName).apply(plain, material: cipherMaterial, encrypt: false)
            } catch {
                throw KeyFileError(.crypto, "\(cipherName): \(error)")
            }
        }
        let expected = try mac(of: file, privateBlob: plain, key: keys.mac)
        guard ConstantTime.equals(expected, file.mac) else {
            throw file.encrypted
                ? KeyFileError(.wrongPassphrase, "the passphrase does not open the PuTTY key (Private-MAC mismatch)")
                : KeyFileError(.corrupt, "Private-MAC does not match: the PuTTY key file has been altered")
        }
        return try privateKey(file, privateBlob: plain)
    }

    /// The cipher key and IV (nil for an unencrypted file) and the MAC key.
    static func derive(
        version: Int, passphrase: SecureBytes?, derivation: KeyDerivation?
    ) throws(KeyFileError) -> (cipher: SecureBytes?, mac: SecureBytes) {
        do {
            if version == 2 {
                // Version 2: SHA-1(uint32 0 || passphrase) || SHA-1(uint32 1 || passphrase), cut to 32 bytes,
                // a zero IV, and a MAC key of SHA-1("putty-private-key-file-mac-key" || passphrase).
                var bytes = passphrase?.unsafeArray ?? []
                defer { bytes.zeroize() }
                var material = try DigestAlgorithm.sha1.hash([0, 0, 0, 0] + bytes)
                material += try DigestAlgorithm.sha1.hash([0, 0, 0, 1] + bytes)
                let cipher = SecureBytes(material.prefix(cipherKeyLength) + [UInt8](repeating: 0, count: 16))
                material.zeroize()
                var macKey = try DigestAlgorithm.sha1.hash(Array("putty-private-key-file-mac-key".utf8) + bytes)
                defer { macKey.zeroize() }
                return (passphrase == nil ? nil : cipher, SecureBytes(macKey))
            }
            // Version 3: Argon2 gives cipher key || IV || MAC key; an unencrypted file has an empty MAC key.
            guard let passphrase, let derivation else { return (nil, SecureBytes([])) }
            let output = try Argon2.derive(
                derivation.variant, password: passphrase, salt: derivation.salt, memoryKiB: derivation.memoryKiB,
                passes: derivation.passes, parallelism: derivation.parallelism,
                tagLength: cipherKeyLength + cipherBlockLength + macKeyLength)
            var material = output.unsafeArray
            defer { material.zeroize() }
            return (
                SecureBytes(material.prefix(cipherKeyLength + cipherBlockLength)),
                SecureBytes(material.suffix(macKeyLength))
            )
        } catch let error as KeyFileError {
            throw error
        } catch {
            throw KeyFileError(.crypto, "PPK key derivation: \(error)")
        }
    }

    /// HMAC-SHA-1 (version 2) or HMAC-SHA-256 (version 3) over the strings algorithm, encryption,
    /// comment, public blob and the decrypted private blob with its padding.
    static func mac(of file: File, privateBlob: [UInt8], key: SecureBytes) throws(KeyFileError) -> [UInt8] {
        var data = ByteBuffer()
        data.writeSSHString(file.algorithm)
        data.writeSSHString(file.encryptionName)
        data.writeSSHString(file.comment)
        data.writeSSHString(file.publicBlob)
        data.writeSSHString(privateBlob)
        defer { data.zeroize() }
        do {
            let hmac = try HMAC(digest: file.version == 2 ? .sha1 : .sha256, key: key.unsafeArray)
            return try hmac.authenticate(data.readableBytesView)
        } catch {
            throw KeyFileError(.crypto, "PPK MAC: \(error)")
        }
    }

    /// Builds the key from the public blob and the private fields: RSA `mpint d, p, q, iqmp`; DSA
    /// `mpint x`; ECDSA `mpint d`; Ed25519 `string seed` (32 bytes).
    private static func privateKey(_ file: File, privateBlob: [UInt8]) throws(KeyFileError) -> SSHPrivateKey {
        let algorithm = baseAlgorithm(file.algorithm)
        let publicBlob = try plainPublicBlob(file)
        var publicPart = ByteBuffer(bytes: publicBlob)
        var privatePart = ByteBuffer(bytes: privateBlob)
        defer { privatePart.zeroize() }
        let key: OpenSSLKey
        do {
            guard try publicPart.readSSHUTF8String() == algorithm else {
                throw KeyFileError(.corrupt, "the PPK public blob is not a \(algorithm) key")
            }
            key = try readKey(algorithm: algorithm, publicPart: &publicPart, privatePart: &privatePart)
        } catch let error as KeyFileError {
            throw error
        } catch {
            throw KeyFileError(.corrupt, "PPK \(file.algorithm) key: \(error)")
        }
        guard publicPart.readableBytes == 0 else {
            throw KeyFileError(.corrupt, "bytes left over in the PPK public blob")
        }
        guard privatePart.readableBytes < (file.encrypted ? cipherBlockLength : 1) else {
            throw KeyFileError(.corrupt, "bytes left over in the PPK private blob")
        }
        guard key.isConsistentPair else {
            throw KeyFileError(.corrupt, "the private and public parts of the PuTTY \(file.algorithm) key do not match")
        }
        let privateKey: SSHPrivateKey
        do {
            privateKey = try SSHPrivateKey(key: key, comment: file.comment)
        } catch {
            throw KeyFileError(.corrupt, "PPK \(file.algorithm) key: \(error)")
        }
        guard privateKey.publicKey.blob == publicBlob else {
            throw KeyFileError(.corrupt, "the PuTTY key's public blob does not match its private key")
        }
        return privateKey
    }

    /// The public blob of the plain key: the file's own, or the key a certificate certifies.
    private static func plainPublicBlob(_ file: File) throws(KeyFileError) -> [UInt8] {
        guard file.algorithm.hasSuffix(certificateSuffix) else { return file.publicBlob }
        let certified: SSHPublicKey
        do {
            certified = try SSHPublicKey(blob: file.publicBlob)
        } catch {
            throw KeyFileError(.corrupt, "PPK certificate: \(error)")
        }
        guard certified.keyType == file.algorithm, let certificate = certified.certificate else {
            throw KeyFileError(.corrupt, "the PPK public blob is not a \(file.algorithm) certificate")
        }
        return certificate.key.blob
    }

    private static func readKey(
        algorithm: String, publicPart: inout ByteBuffer, privatePart: inout ByteBuffer
    ) throws -> OpenSSLKey {
        func number(_ buffer: inout ByteBuffer) throws -> [UInt8] {
            Array(try buffer.readSSHUnsignedMPInt().readableBytesView)
        }
        func secret(_ buffer: inout ByteBuffer) throws -> SecureBytes {
            SecureBytes(try buffer.readSSHUnsignedMPInt().readableBytesView)
        }
        switch SSHKeyType(sshName: algorithm) {
        case .ed25519:
            let publicKey = Array(try publicPart.readSSHString().readableBytesView)
            let seed = try privatePart.readSSHString()
            guard publicKey.count == 32, seed.readableBytes == 32,
                let key = OpenSSLKey.ed25519(seed: SecureBytes(seed.readableBytesView))
            else { throw KeyFileError(.corrupt, "malformed Ed25519 key in the PPK file") }
            return key
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            let identifier = try publicPart.readSSHUTF8String()
            let point = Array(try publicPart.readSSHString().readableBytesView)
            return try OpenSSHKeyFormat.ecKey(
                type: algorithm, identifier: identifier, point: point, scalar: try secret(&privatePart))
        case .rsa:
            let e = try number(&publicPart)
            let n = try number(&publicPart)
            let d = try secret(&privatePart)
            let p = try secret(&privatePart)
            let q = try secret(&privatePart)
            let iqmp = try secret(&privatePart)
            return try OpenSSHKeyFormat.rsaKey(n: n, e: e, d: d, p: p, q: q, iqmp: iqmp)
        case .dsa:
            let p = try number(&publicPart)
            let q = try number(&publicPart)
            let g = try number(&publicPart)
            let y = try number(&publicPart)
            let x = try secret(&privatePart)
            return try OpenSSHKeyFormat.dsaKey(p: p, q: q, g: g, y: y, x: x)
        case nil:
            throw KeyFileError(.unsupportedKeyType, "PPK key algorithm \(algorithm.debugDescription) is not supported")
        }
    }
}
