import NIOCore
import SSHWire

extension SSHPublicKey {
    /// Whether `signatureBlob` (`string algorithm, string signature`, RFC 4253 §6.6; for FIDO keys
    /// followed by `byte flags, uint32 counter`, PROTOCOL.u2f) is a valid signature of `data` by this
    /// key. False on any malformation, an algorithm this key cannot use, an RSA key under 1,024 bits,
    /// or a bad signature. A certificate verifies with its certified key.
    public func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8]) -> Bool {
        verify(signatureBlob, for: data, requiring: nil)
    }

    /// As ``isValidSignature(_:for:)``, and also requires the blob's algorithm name to be `algorithm`
    /// (for certificates, the `-cert-v01@openssh.com` name of that algorithm is accepted too).
    public func isValidSignature(_ signatureBlob: [UInt8], for data: [UInt8], algorithm: String) -> Bool {
        let plain = PublicKeyMaterial.plainName(ofCertificate: algorithm) ?? algorithm
        return verify(signatureBlob, for: data, requiring: plain)
    }

    private func verify(_ signatureBlob: [UInt8], for data: [UInt8], requiring required: String?) -> Bool {
        var buffer = ByteBuffer(bytes: signatureBlob)
        guard let algorithm = try? buffer.readSSHUTF8String(),
            let signature = try? buffer.readSSHString()
        else { return false }
        if let required, required != algorithm { return false }
        let raw = Array(signature.readableBytesView)
        switch material {
        case .ed25519(let key):
            guard algorithm == "ssh-ed25519", buffer.readableBytes == 0, raw.count == 64 else { return false }
            return key.verify(raw, over: data, digest: nil)
        case .ecdsa(let curve, let key):
            guard algorithm == keyType, buffer.readableBytes == 0,
                let der = Self.ecdsaDER(raw, width: curve.coordinateLength)
            else { return false }
            return key.verify(der, over: data, digest: curve.signatureDigest)
        case .rsa(let key):
            guard buffer.readableBytes == 0, let digest = Self.rsaDigest(algorithm),
                key.bits >= RSALimits.minimumBits
            else { return false }
            let size = (key.bits + 7) / 8
            guard raw.count <= size, !raw.isEmpty else { return false }
            let padded = [UInt8](repeating: 0, count: size - raw.count) + raw
            return key.verify(padded, over: data, digest: digest)
        case .dsa(let key):
            guard algorithm == "ssh-dss", buffer.readableBytes == 0, raw.count == 40,
                let der = DERSignature.der(r: Array(raw[0..<20]), s: Array(raw[20...]))
            else { return false }
            return key.verify(der, over: data, digest: .sha1)
        case .securityKeyEd25519(let key, let application):
            guard algorithm == keyType, raw.count == 64,
                let signed = Self.securityKeySignedData(&buffer, application: application, data: data)
            else { return false }
            return key.verify(raw, over: signed, digest: nil)
        case .securityKeyECDSA(let key, let application):
            guard algorithm == keyType, let der = Self.ecdsaDER(raw, width: 32),
                let signed = Self.securityKeySignedData(&buffer, application: application, data: data)
            else { return false }
            return key.verify(der, over: signed, digest: .sha256)
        case .certificate(let certificate):
            return certificate.key.verify(signatureBlob, for: data, requiring: required)
        }
    }

    static func rsaDigest(_ algorithm: String) -> DigestAlgorithm? {
        switch algorithm {
        case "rsa-sha2-512": .sha512
        case "rsa-sha2-256": .sha256
        case "ssh-rsa": .sha1
        default: nil
        }
    }

    /// `mpint r, mpint s` (RFC 5656 §3.1.2) as DER, each value at most `width` bytes.
    private static func ecdsaDER(_ raw: [UInt8], width: Int) -> [UInt8]? {
        var inner = ByteBuffer(bytes: raw)
        guard let r = try? inner.readSSHUnsignedMPInt(), let s = try? inner.readSSHUnsignedMPInt(),
            inner.readableBytes == 0, r.readableBytes <= width, s.readableBytes <= width,
            r.readableBytes > 0, s.readableBytes > 0
        else { return nil }
        return DERSignature.der(r: Array(r.readableBytesView), s: Array(s.readableBytesView))
    }

    /// PROTOCOL.u2f: the authenticator signs SHA256(application) || flags || counter || SHA256(message).
    private static func securityKeySignedData(
        _ buffer: inout ByteBuffer, application: [UInt8], data: [UInt8]
    ) -> [UInt8]? {
        guard let flags = try? buffer.readSSHByte(), let counter = try? buffer.readSSHUInt32(),
            buffer.readableBytes == 0,
            let applicationHash = try? DigestAlgorithm.sha256.hash(application),
            let messageHash = try? DigestAlgorithm.sha256.hash(data)
        else { return nil }
        var signed = applicationHash
        signed.append(flags)
        signed.append(contentsOf: withUnsafeBytes(of: counter.bigEndian) { Array($0) })
        signed.append(contentsOf: messageHash)
        return signed
    }
}
