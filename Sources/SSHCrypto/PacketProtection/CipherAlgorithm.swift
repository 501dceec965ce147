/// A packet cipher by its SSH name (RFC 4253 §6.3, RFC 4344, RFC 5647, OpenSSH's
/// PROTOCOL.chacha20poly1305), with the key and IV sizes key derivation must produce.
public struct CipherAlgorithm: Sendable, Hashable, CustomStringConvertible {
    /// How the cipher protects packets.
    public enum Mode: Sendable, Hashable {
        /// OpenSSH's ChaCha20 with Poly1305 (encrypted length, its own tag).
        case chacha20Poly1305
        /// AES-GCM with OpenSSH's nonce invocation counter (length as additional data).
        case gcm
        /// A stream mode that continues across packets (counter mode).
        case ctr
        /// Cipher block chaining that continues across packets.
        case cbc
    }

    /// The SSH name.
    public let name: String
    /// Key bytes the key derivation must produce.
    public let keyLength: Int
    /// IV bytes the key derivation must produce.
    public let ivLength: Int
    /// The cipher block size, for padding.
    public let blockSize: Int
    /// How it protects packets.
    public let mode: Mode
    /// True when the cipher carries its own authentication and needs no MAC.
    public var isAEAD: Bool { mode == .chacha20Poly1305 || mode == .gcm }

    public var description: String { name }

    /// chacha20-poly1305@openssh.com.
    public static let chacha20Poly1305 = CipherAlgorithm(
        name: "chacha20-poly1305@openssh.com", keyLength: 64, ivLength: 0, blockSize: 8, mode: .chacha20Poly1305)
    /// aes128-gcm@openssh.com (RFC 5647 with OpenSSH's naming).
    public static let aes128GCM = CipherAlgorithm(
        name: "aes128-gcm@openssh.com", keyLength: 16, ivLength: 12, blockSize: 16, mode: .gcm)
    /// aes256-gcm@openssh.com.
    public static let aes256GCM = CipherAlgorithm(
        name: "aes256-gcm@openssh.com", keyLength: 32, ivLength: 12, blockSize: 16, mode: .gcm)
    /// aes128-ctr (RFC 4344).
    public static let aes128CTR = CipherAlgorithm(
        name: "aes128-ctr", keyLength: 16, ivLength: 16, blockSize: 16, mode: .ctr)
    /// aes192-ctr (RFC 4344).
    public static let aes192CTR = CipherAlgorithm(
        name: "aes192-ctr", keyLength: 24, ivLength: 16, blockSize: 16, mode: .ctr)
    /// aes256-ctr (RFC 4344).
    public static let aes256CTR = CipherAlgorithm(
        name: "aes256-ctr", keyLength: 32, ivLength: 16, blockSize: 16, mode: .ctr)
    /// aes128-cbc (RFC 4253 §6.3).
    public static let aes128CBC = CipherAlgorithm(
        name: "aes128-cbc", keyLength: 16, ivLength: 16, blockSize: 16, mode: .cbc)
    /// aes192-cbc (RFC 4253 §6.3).
    public static let aes192CBC = CipherAlgorithm(
        name: "aes192-cbc", keyLength: 24, ivLength: 16, blockSize: 16, mode: .cbc)
    /// aes256-cbc (RFC 4253 §6.3).
    public static let aes256CBC = CipherAlgorithm(
        name: "aes256-cbc", keyLength: 32, ivLength: 16, blockSize: 16, mode: .cbc)
    /// 3des-cbc (RFC 4253 §6.3): supported for old peers, never enabled by default.
    public static let tripleDESCBC = CipherAlgorithm(
        name: "3des-cbc", keyLength: 24, ivLength: 8, blockSize: 8, mode: .cbc)

    /// Every cipher this library implements, strongest first.
    public static let supported: [CipherAlgorithm] = [
        .chacha20Poly1305, .aes128CTR, .aes192CTR, .aes256CTR, .aes128GCM, .aes256GCM,
        .aes128CBC, .aes192CBC, .aes256CBC, .tripleDESCBC,
    ]

    /// The ciphers offered by default, in OpenSSH 9.2's order.
    public static let defaults: [CipherAlgorithm] = [
        .chacha20Poly1305, .aes128CTR, .aes192CTR, .aes256CTR, .aes128GCM, .aes256GCM,
    ]

    /// Looks a cipher up by its SSH name.
    public static func named(_ name: String) -> CipherAlgorithm? {
        supported.first { $0.name == name }
    }
}
