/// An error reading or writing a key file: OpenSSH `openssh-key-v1` (PROTOCOL.key), PEM (RFC 7468),
/// PKCS#8 (RFC 5958), PuTTY `.ppk` (PuTTY manual appendix C), public key files and `authorized_keys`
/// lines (sshd(8) AUTHORIZED_KEYS FILE FORMAT).
public struct KeyFileError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of key file error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case passphraseRequired
            case wrongPassphrase
            case corrupt
            case unsupportedCipher
            case unsupportedKDF
            case kdfRoundsOutOfRange
            case unsupportedFormat
            case unsupportedKeyType
            case keyTooSmall
            case crypto
            case io
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The key is encrypted and no passphrase was given.
        public static let passphraseRequired = Code(.passphraseRequired)
        /// The passphrase does not decrypt the key (check-ints, padding or tag mismatch).
        public static let wrongPassphrase = Code(.wrongPassphrase)
        /// The file is truncated, not valid base64, or its structure is malformed; or, for an
        /// unencrypted PuTTY `.ppk`, its MAC does not match (the file was altered).
        public static let corrupt = Code(.corrupt)
        /// The file is encrypted with a cipher this library does not read.
        public static let unsupportedCipher = Code(.unsupportedCipher)
        /// The file names a key derivation function this library does not implement.
        public static let unsupportedKDF = Code(.unsupportedKDF)
        /// The KDF's cost is zero or absurdly high: bcrypt rounds (see ``BcryptPBKDF/maximumRounds``),
        /// or Argon2 memory, passes or lanes (see ``Argon2/maximumMemoryKiB`` and the limits beside it).
        public static let kdfRoundsOutOfRange = Code(.kdfRoundsOutOfRange)
        /// The text is not a key format this library knows.
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The key type inside the file is not one this library can use as a private key.
        public static let unsupportedKeyType = Code(.unsupportedKeyType)
        /// An RSA key under 1,024 bits.
        public static let keyTooSmall = Code(.keyTooSmall)
        /// libcrypto failed while encoding or decoding.
        public static let crypto = Code(.crypto)
        /// Reading or writing the file failed.
        public static let io = Code(.io)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation, never containing secret material.
    public let detail: String

    /// Creates an error with a code and a detail.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "KeyFileError.\(code): \(detail)" }
}
