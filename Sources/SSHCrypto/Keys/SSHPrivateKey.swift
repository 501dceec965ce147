import COpenSSL
import NIOCore
import SSHWire

/// A private key that signs SSH data (RFC 4253 §6.6, RFC 8332, RFC 5656, RFC 8709), held in a
/// libcrypto key object.
public struct SSHPrivateKey: Sendable, CustomStringConvertible {
    /// The matching public key.
    public let publicKey: SSHPublicKey
    /// The comment stored with the key in OpenSSH files (often `user@host`).
    public var comment: String
    /// The key type.
    public let type: SSHKeyType
    let key: OpenSSLKey

    /// Wraps a libcrypto key pair, deriving the public blob from it.
    init(key: OpenSSLKey, comment: String = "") throws(CryptoError) {
        let (type, blob) = try Self.publicBlob(of: key)
        self.publicKey = try SSHPublicKey(blob: blob)
        self.comment = comment
        self.type = type
        self.key = key
    }

    /// The SSH key type and public key blob (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4) of a libcrypto key.
    static func publicBlob(of key: OpenSSLKey) throws(CryptoError) -> (SSHKeyType, [UInt8]) {
        let type = try keyType(of: key)
        var buffer = ByteBuffer()
        buffer.writeSSHString(type.sshName)
        switch type {
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = 32
            let status = raw.withUnsafeMutableBufferPointer {
                EVP_PKEY_get_raw_public_key(key.pointer, $0.baseAddress, &length)
            }
            try check(status, "EVP_PKEY_get_raw_public_key")
            buffer.writeSSHString(raw.prefix(length))
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard let curve = type.curve, let point = key.octets("pub") else { throw CryptoError.openSSL("EC point") }
            buffer.writeSSHString(curve.sshIdentifier)
            buffer.writeSSHString(point)
        case .rsa:
            guard let n = key.bigNumber("n"), let e = key.bigNumber("e") else {
                throw CryptoError.openSSL("RSA n, e")
            }
            buffer.writeSSHMPInt(unsignedBigEndian: e)
            buffer.writeSSHMPInt(unsignedBigEndian: n)
        case .dsa:
            for name in ["p", "q", "g", "pub"] {
                guard let value = key.bigNumber(name) else { throw CryptoError.openSSL("DSA \(name)") }
                buffer.writeSSHMPInt(unsignedBigEndian: value)
            }
        }
        return (type, Array(buffer.readableBytesView))
    }

    private static func keyType(of key: OpenSSLKey) throws(CryptoError) -> SSHKeyType {
        switch EVP_PKEY_get_base_id(key.pointer) {
        case EVP_PKEY_ED25519: return .ed25519
        case EVP_PKEY_RSA: return .rsa
        case EVP_PKEY_DSA: return .dsa
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            let status = EVP_PKEY_get_utf8_string_param(key.pointer, "group", &name, name.count, &length)
            let group = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard status == 1, let curve = ECDHKeyAgreement.Curve(groupName: group) else {
                ERR_clear_error()
                throw CryptoError(.unsupportedAlgorithm, "EC keys on \(group.debugDescription) are not SSH keys")
            }
            return curve.keyType
        default:
            let id = EVP_PKEY_get_base_id(key.pointer)
            throw CryptoError(.unsupportedAlgorithm, "key type \(id) is not an SSH key type")
        }
    }

    /// The key type, fingerprint and comment; never secret material.
    public var description: String { "SSHPrivateKey(\(type.sshName) \(publicKey.fingerprint()) \(comment))" }

    /// The signature algorithm used when none is named: the key type's name, except `rsa-sha2-512`
    /// for RSA keys (RFC 8332).
    public var defaultSignatureAlgorithm: String { type == .rsa ? "rsa-sha2-512" : type.sshName }

    /// Signs `data` and returns the full signature blob, `string algorithm, string signature`
    /// (RFC 4253 §6.6; RFC 8332 §3; RFC 5656 §3.1.2; RFC 8709 §6). `algorithm` must be one of
    /// `publicKey.signatureAlgorithms`; nil picks ``defaultSignatureAlgorithm``.
    public func signature(for data: [UInt8], algorithm: String? = nil) throws(CryptoError) -> [UInt8] {
        let algorithm = algorithm ?? defaultSignatureAlgorithm
        guard publicKey.signatureAlgorithms.contains(algorithm) else {
            throw CryptoError(.unsupportedAlgorithm, "a \(type.sshName) key cannot sign with \(algorithm)")
        }
        var blob = ByteBuffer()
        blob.writeSSHString(algorithm)
        switch type {
        case .ed25519:
            blob.writeSSHString(try key.sign(data, digest: nil))
        case .ecdsaP256, .ecdsaP384, .ecdsaP521:
            guard let curve = type.curve else { throw CryptoError(.unsupportedAlgorithm, algorithm) }
            let der = try key.sign(data, digest: curve.signatureDigest)
            guard let (r, s) = DERSignature.rs(fromDER: der, width: curve.coordinateLength) else {
                throw CryptoError.openSSL("ECDSA signature")
            }
            var inner = ByteBuffer()
            inner.writeSSHMPInt(unsignedBigEndian: r)
            inner.writeSSHMPInt(unsignedBigEndian: s)
            blob.writeSSHString(inner)
        case .rsa:
            guard key.bits >= RSALimits.minimumBits else {
                throw CryptoError(.invalidKeyLength, "RSA keys under \(RSALimits.minimumBits) bits do not sign")
            }
            guard let digest = SSHPublicKey.rsaDigest(algorithm) else {
                throw CryptoError(.unsupportedAlgorithm, algorithm)
            }
            blob.writeSSHString(try key.sign(data, digest: digest))
        case .dsa:
            let der = try key.sign(data, digest: .sha1)
            guard let (r, s) = DERSignature.rs(fromDER: der, width: 20) else {
                throw CryptoError.openSSL("DSA signature")
            }
            blob.writeSSHString(r + s)
        }
        return Array(blob.readableBytesView)
    }
}
