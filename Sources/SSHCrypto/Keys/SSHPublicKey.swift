import NIOCore
import SSHWire

/// An SSH public key, held as its exact wire blob (RFC 4253 §6.6): `string type` followed by the
/// type's fields. Covers ssh-ed25519 (RFC 8709), ecdsa-sha2-nistp256/384/521 (RFC 5656), ssh-rsa
/// (RFC 4253, RFC 8332), ssh-dss, the FIDO types sk-ssh-ed25519@openssh.com and
/// sk-ecdsa-sha2-nistp256@openssh.com (PROTOCOL.u2f, verify only) and OpenSSH certificates of all
/// of these (PROTOCOL.certkeys).
///
/// Two keys are equal when their blobs are equal.
public struct SSHPublicKey: Sendable, Hashable, CustomStringConvertible {
    /// The exact wire encoding.
    public let blob: [UInt8]
    /// The key type name that opens the blob, e.g. `ssh-ed25519` or `ssh-rsa-cert-v01@openssh.com`.
    public let keyType: String
    let material: PublicKeyMaterial

    /// Parses a public key blob (RFC 4253 §6.6, RFC 5656 §3.1, PROTOCOL.certkeys). The blob must be
    /// consumed exactly; unknown types throw `.unsupportedAlgorithm`, malformed ones `.invalidPublicValue`.
    public init(blob: [UInt8]) throws(CryptoError) {
        var buffer = ByteBuffer(bytes: blob)
        let type: String
        do {
            type = try buffer.readSSHUTF8String()
        } catch {
            throw CryptoError(.invalidPublicValue, "public key blob has no type name: \(error)")
        }
        let material: PublicKeyMaterial
        if type.hasSuffix(PublicKeyMaterial.certificateSuffix) {
            material = .certificate(try SSHCertificate(type: type, blob: blob, fields: &buffer))
        } else {
            material = try PublicKeyMaterial.readFields(type: type, from: &buffer)
        }
        guard buffer.readableBytes == 0 else {
            throw CryptoError(.invalidPublicValue, "\(buffer.readableBytes) bytes follow the \(type) public key")
        }
        self.blob = blob
        self.keyType = type
        self.material = material
    }

    /// The signature algorithms that can verify with this key (RFC 8332 §3 for RSA, PROTOCOL.certkeys
    /// for certificates), strongest first: an ssh-rsa key gives `rsa-sha2-512`, `rsa-sha2-256`, `ssh-rsa`.
    public var signatureAlgorithms: [String] {
        switch material {
        case .rsa: ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]
        case .certificate(let certificate):
            certificate.key.signatureAlgorithms.map(PublicKeyMaterial.certificateName(ofPlain:))
        default: [keyType]
        }
    }

    /// The key size in bits as `ssh-keygen -l` reports it.
    public var bits: Int {
        switch material {
        case .ed25519, .securityKeyEd25519: 256
        case .ecdsa(let curve, _): curve.bits
        case .securityKeyECDSA: 256
        case .rsa(let key), .dsa(let key): key.bits
        case .certificate(let certificate): certificate.key.bits
        }
    }

    /// The certificate, when this key is an OpenSSH certificate (PROTOCOL.certkeys).
    public var certificate: SSHCertificate? {
        if case .certificate(let certificate) = material { return certificate }
        return nil
    }

    /// The key as one `authorized_keys` / `.pub` line without a comment: `ssh-ed25519 AAAA…`.
    public var openSSHLine: String { keyType + " " + Base64.encode(blob) }

    /// The algorithm a signature by a certificate's key carries (PROTOCOL.certkeys):
    /// `rsa-sha2-512-cert-v01@openssh.com` signs as `rsa-sha2-512`; any other name is itself.
    public static func plainAlgorithm(ofCertificateAlgorithm name: String) -> String {
        PublicKeyMaterial.plainName(ofCertificate: name) ?? name
    }

    public var description: String { "SSHPublicKey(\(keyType) \(fingerprint()))" }

    public static func == (lhs: SSHPublicKey, rhs: SSHPublicKey) -> Bool { lhs.blob == rhs.blob }

    public func hash(into hasher: inout Hasher) { hasher.combine(blob) }
}
