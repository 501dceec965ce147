import NIOCore
import SSHWire

/// An OpenSSH certificate (PROTOCOL.certkeys): a public key with a serial, a type, a key id,
/// principals, a validity interval, critical options and extensions, signed by a CA key.
public struct SSHCertificate: Sendable, Hashable {
    /// Whether the certificate is for a user or a host (PROTOCOL.certkeys: SSH_CERT_TYPE_*).
    public enum Kind: UInt32, Sendable, Hashable {
        case user = 1
        case host = 2
    }

    /// The certified key, as a plain public key.
    public let key: SSHPublicKey
    /// The CA's random nonce.
    public let nonce: [UInt8]
    /// The CA-assigned serial number.
    public let serial: UInt64
    /// User or host certificate.
    public let kind: Kind
    /// The key identity the CA assigned.
    public let keyID: String
    /// The principals the certificate is valid for; empty means any where no principal is required.
    public let principals: [String]
    /// Seconds since the epoch.
    public let validAfter: UInt64
    /// Seconds since the epoch; `UInt64.max` means forever.
    public let validBefore: UInt64
    /// Critical options in order (name, data); a verifier must refuse any it does not understand.
    public let criticalOptions: [(name: String, data: [UInt8])]
    /// Extensions in order (name, data).
    public let extensions: [(name: String, data: [UInt8])]
    /// The CA key that signed the certificate.
    public let signatureKey: SSHPublicKey
    /// The CA's signature blob over every preceding byte of the certificate.
    public let signature: [UInt8]
    /// The bytes the CA signed.
    let signedBytes: [UInt8]

    init(type: String, blob: [UInt8], fields buffer: inout ByteBuffer) throws(CryptoError) {
        let plainType = PublicKeyMaterial.plainName(ofCertificate: type) ?? type
        do {
            nonce = Array(try buffer.readSSHString().readableBytesView)
            let fieldsStart = buffer.readerIndex
            _ = try PublicKeyMaterial.readFields(type: plainType, from: &buffer)
            var plain = ByteBuffer()
            plain.writeSSHString(plainType)
            plain.writeBytes(blob[fieldsStart..<buffer.readerIndex])
            key = try SSHPublicKey(blob: Array(plain.readableBytesView))
            serial = try buffer.readSSHUInt64()
            let rawKind = try buffer.readSSHUInt32()
            guard let kind = Kind(rawValue: rawKind) else {
                throw CryptoError(.invalidPublicValue, "certificate type \(rawKind) is neither user nor host")
            }
            self.kind = kind
            keyID = try buffer.readSSHUTF8String()
            var principalList = try buffer.readSSHString()
            var principals: [String] = []
            while principalList.readableBytes > 0 { principals.append(try principalList.readSSHUTF8String()) }
            self.principals = principals
            validAfter = try buffer.readSSHUInt64()
            validBefore = try buffer.readSSHUInt64()
            criticalOptions = try Self.readOptions(try buffer.readSSHString())
            extensions = try Self.readOptions(try buffer.readSSHString())
            _ = try buffer.readSSHString()  // reserved
            let signedEnd = buffer.readerIndex
            signatureKey = try SSHPublicKey(blob: Array(try buffer.readSSHString().readableBytesView))
            signedBytes = Array(blob[0..<(signedEnd + 4 + signatureKey.blob.count)])
            signature = Array(try buffer.readSSHString().readableBytesView)
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.invalidPublicValue, "malformed \(type): \(error)")
        }
        guard signatureKey.certificate == nil else {
            throw CryptoError(.invalidPublicValue, "a certificate's CA key may not itself be a certificate")
        }
    }

    private static func readOptions(_ list: ByteBuffer) throws -> [(name: String, data: [UInt8])] {
        var list = list
        var options: [(name: String, data: [UInt8])] = []
        while list.readableBytes > 0 {
            let name = try list.readSSHUTF8String()
            let data = Array(try list.readSSHString().readableBytesView)
            options.append((name, data))
        }
        return options
    }

    public static func == (lhs: SSHCertificate, rhs: SSHCertificate) -> Bool {
        lhs.signedBytes == rhs.signedBytes && lhs.signature == rhs.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(signedBytes)
        hasher.combine(signature)
    }
}
