import COpenSSL
import NIOCore
import SSHWire

/// The parsed contents of a public key blob, with the libcrypto key that verifies for it.
enum PublicKeyMaterial: Sendable {
    case ed25519(OpenSSLKey)
    case ecdsa(ECDHKeyAgreement.Curve, OpenSSLKey)
    case rsa(OpenSSLKey)
    case dsa(OpenSSLKey)
    /// A FIDO key (PROTOCOL.u2f): the verifying key and the application string, e.g. "ssh:".
    case securityKeyEd25519(OpenSSLKey, application: [UInt8])
    case securityKeyECDSA(OpenSSLKey, application: [UInt8])
    indirect case certificate(SSHCertificate)

    static let securityKeyEd25519Name = "sk-ssh-ed25519@openssh.com"
    static let securityKeyECDSAName = "sk-ecdsa-sha2-nistp256@openssh.com"
    static let certificateSuffix = "-cert-v01@openssh.com"

    /// The certificate name of a plain key or signature algorithm (PROTOCOL.certkeys):
    /// `ssh-ed25519` → `ssh-ed25519-cert-v01@openssh.com`,
    /// `sk-ssh-ed25519@openssh.com` → `sk-ssh-ed25519-cert-v01@openssh.com`.
    static func certificateName(ofPlain name: String) -> String {
        let vendor = "@openssh.com"
        let base = name.hasSuffix(vendor) ? String(name.dropLast(vendor.count)) : name
        return base + certificateSuffix
    }

    /// The plain name inside a certificate name, the inverse of ``certificateName(ofPlain:)``; nil
    /// when `name` is not a certificate name.
    static func plainName(ofCertificate name: String) -> String? {
        guard name.hasSuffix(certificateSuffix) else { return nil }
        let base = String(name.dropLast(certificateSuffix.count))
        return base.hasPrefix("sk-") ? base + "@openssh.com" : base
    }

    /// Reads the fields that follow the key type name for a plain (non-certificate) key
    /// (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4, PROTOCOL.u2f).
    static func readFields(type: String, from buffer: inout ByteBuffer) throws(CryptoError) -> PublicKeyMaterial {
        do {
            switch type {
            case "ssh-ed25519":
                return .ed25519(try readEd25519(&buffer))
            case SSHKeyType.ecdsaP256.sshName, SSHKeyType.ecdsaP384.sshName, SSHKeyType.ecdsaP521.sshName:
                let (curve, key) = try readECDSA(type: type, &buffer)
                return .ecdsa(curve, key)
            case "ssh-rsa":
                let e = try buffer.readSSHUnsignedMPInt()
                let n = try buffer.readSSHUnsignedMPInt()
                return .rsa(try rsaKey(n: Array(n.readableBytesView), e: Array(e.readableBytesView)))
            case "ssh-dss":
                let p = Array(try buffer.readSSHUnsignedMPInt().readableBytesView)
                let q = Array(try buffer.readSSHUnsignedMPInt().readableBytesView)
                let g = Array(try buffer.readSSHUnsignedMPInt().readableBytesView)
                let y = Array(try buffer.readSSHUnsignedMPInt().readableBytesView)
                return .dsa(try dsaKey(p: p, q: q, g: g, y: y))
            case securityKeyEd25519Name:
                let key = try readEd25519(&buffer)
                return .securityKeyEd25519(key, application: Array(try buffer.readSSHString().readableBytesView))
            case securityKeyECDSAName:
                let (_, key) = try readECDSA(type: SSHKeyType.ecdsaP256.sshName, &buffer)
                return .securityKeyECDSA(key, application: Array(try buffer.readSSHString().readableBytesView))
            default:
                throw CryptoError(.unsupportedAlgorithm, "unknown public key type \(type.debugDescription)")
            }
        } catch let error as WireError {
            throw CryptoError(.invalidPublicValue, "malformed \(type) public key: \(error)")
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.invalidPublicValue, "malformed \(type) public key")
        }
    }

    private static func readEd25519(_ buffer: inout ByteBuffer) throws -> OpenSSLKey {
        let raw = try buffer.readSSHString()
        guard let key = OpenSSLKey.ed25519(publicKey: Array(raw.readableBytesView)) else {
            throw CryptoError(.invalidPublicValue, "Ed25519 public key is \(raw.readableBytes) bytes, not 32")
        }
        return key
    }

    private static func readECDSA(type: String, _ buffer: inout ByteBuffer) throws -> (
        ECDHKeyAgreement.Curve, OpenSSLKey
    ) {
        let identifier = try buffer.readSSHUTF8String()
        guard let curve = ECDHKeyAgreement.Curve(sshIdentifier: identifier), type == "ecdsa-sha2-" + identifier else {
            throw CryptoError(.invalidPublicValue, "ECDSA curve \(identifier.debugDescription) does not match \(type)")
        }
        let point = Array(try buffer.readSSHString().readableBytesView)
        guard point.count == 1 + 2 * curve.coordinateLength, point.first == 0x04,
            let key = OpenSSLKey.ec(curve: curve, point: point)
        else {
            throw CryptoError(.invalidPublicValue, "ECDSA public point is not on \(curve.rawValue)")
        }
        return (curve, key)
    }

    static func rsaKey(n: [UInt8], e: [UInt8]) throws(CryptoError) -> OpenSSLKey {
        let bits = n.first.map { n.count * 8 - $0.leadingZeroBitCount } ?? 0
        guard bits <= RSALimits.maximumBits else {
            throw CryptoError(.invalidKeyLength, "RSA modulus of \(bits) bits exceeds \(RSALimits.maximumBits)")
        }
        guard bits >= 512, !e.isEmpty, e.count <= RSALimits.maximumExponentBytes, e.last.map({ $0 & 1 == 1 }) == true
        else {
            throw CryptoError(
                .invalidPublicValue, "RSA public key has a \(bits)-bit modulus or an even or oversized exponent")
        }
        let key = n.withUnsafeBufferPointer { nBytes in
            e.withUnsafeBufferPointer { eBytes in
                paramiko_rsa_key_from_data(
                    nBytes.baseAddress, nBytes.count, eBytes.baseAddress, eBytes.count, nil, 0, nil, 0, nil, 0, nil, 0)
            }
        }
        guard let key else { throw CryptoError.openSSL("RSA public key") }
        return OpenSSLKey(key)
    }

    static func dsaKey(p: [UInt8], q: [UInt8], g: [UInt8], y: [UInt8]) throws(CryptoError) -> OpenSSLKey {
        guard p.count <= DSALimits.maximumPBytes, q.count <= DSALimits.maximumQBytes, !q.isEmpty,
            !g.isEmpty, g.count <= p.count, !y.isEmpty, y.count <= p.count
        else {
            throw CryptoError(.invalidPublicValue, "DSA parameters out of range")
        }
        let key = p.withUnsafeBufferPointer { pb in
            q.withUnsafeBufferPointer { qb in
                g.withUnsafeBufferPointer { gb in
                    y.withUnsafeBufferPointer { yb in
                        paramiko_dsa_key_from_data(
                            pb.baseAddress, pb.count, qb.baseAddress, qb.count, gb.baseAddress, gb.count,
                            yb.baseAddress, yb.count, nil, 0)
                    }
                }
            }
        }
        guard let key else { throw CryptoError.openSSL("DSA public key") }
        return OpenSSLKey(key)
    }
}
