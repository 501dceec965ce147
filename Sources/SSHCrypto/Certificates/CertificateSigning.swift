import NIOCore
import SSHWire

/// What a CA puts into a new certificate (PROTOCOL.certkeys; `ssh-keygen -s`).
public struct SSHCertificateRequest: Sendable {
    /// User or host certificate.
    public var kind: SSHCertificate.Kind
    /// The key identity, logged by servers that accept the certificate.
    public var keyID: String
    /// Empty means valid for any principal.
    public var principals: [String]
    /// The serial number, for revocation lists.
    public var serial: UInt64 = 0
    /// Seconds since the epoch.
    public var validAfter: UInt64 = 0
    /// Seconds since the epoch; `UInt64.max` is forever.
    public var validBefore: UInt64 = .max
    /// String-valued critical options such as `force-command` and `source-address`.
    public var criticalOptions: [String: String] = [:]
    /// Flag extensions; by default what ssh-keygen grants a user certificate.
    public var extensions: [String]

    /// The extensions ssh-keygen puts into user certificates unless told otherwise.
    public static let defaultUserExtensions = [
        "permit-X11-forwarding", "permit-agent-forwarding", "permit-port-forwarding", "permit-pty", "permit-user-rc",
    ]

    /// A request with ssh-keygen's defaults: valid forever, serial 0, and for user certificates the
    /// standard `permit-*` extensions.
    public init(kind: SSHCertificate.Kind, keyID: String, principals: [String]) {
        self.kind = kind
        self.keyID = keyID
        self.principals = principals
        self.extensions = kind == .user ? Self.defaultUserExtensions : []
    }
}

extension SSHPrivateKey {
    /// Signs a certificate for `key` with this key as the CA (PROTOCOL.certkeys). Options and
    /// extensions are written in lexical order, as the format requires; RSA CAs sign with rsa-sha2-512.
    public func certify(_ key: SSHPublicKey, _ request: SSHCertificateRequest) throws(CryptoError) -> SSHPublicKey {
        guard key.certificate == nil else {
            throw CryptoError(.unsupportedAlgorithm, "cannot certify a certificate")
        }
        var fields = ByteBuffer(bytes: key.blob)
        do {
            _ = try fields.readSSHString()
        } catch {
            throw CryptoError(.invalidPublicValue, "malformed key blob")
        }
        var random = SystemRandom()
        var blob = ByteBuffer()
        blob.writeSSHString(PublicKeyMaterial.certificateName(ofPlain: key.keyType))
        blob.writeSSHString(random.bytes(32))
        blob.writeBuffer(&fields)
        blob.writeSSHUInt64(request.serial)
        blob.writeSSHUInt32(request.kind.rawValue)
        blob.writeSSHString(request.keyID)
        blob.writeSSHString { buffer in
            for principal in request.principals { buffer.writeSSHString(principal) }
        }
        blob.writeSSHUInt64(request.validAfter)
        blob.writeSSHUInt64(request.validBefore)
        blob.writeSSHString { buffer in
            for (name, value) in request.criticalOptions.sorted(by: { $0.key < $1.key }) {
                buffer.writeSSHString(name)
                buffer.writeSSHString { inner in inner.writeSSHString(value) }
            }
        }
        blob.writeSSHString { buffer in
            for name in Set(request.extensions).sorted() {
                buffer.writeSSHString(name)
                buffer.writeSSHString([UInt8]())
            }
        }
        blob.writeSSHString([UInt8]())
        blob.writeSSHString(publicKey.blob)
        let signature = try self.signature(for: Array(blob.readableBytesView))
        blob.writeSSHString(signature)
        return try SSHPublicKey(blob: Array(blob.readableBytesView))
    }
}
