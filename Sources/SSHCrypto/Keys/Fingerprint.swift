extension SSHPublicKey {
    /// The key's fingerprint as `ssh-keygen -l` prints it: `SHA256:` and the unpadded base64 of the
    /// digest of the blob, or for MD5 `MD5:` and colon-separated hex (PROTOCOL, RFC 4716 §4).
    ///
    /// A certificate's fingerprint is that of its certified key, as OpenSSH computes it.
    public func fingerprint(_ digest: DigestAlgorithm = .sha256) -> String {
        let hash: [UInt8]
        do {
            hash = try digest.hash(certificate?.key.blob ?? blob)
        } catch {
            return digest.rawValue + ":?"
        }
        switch digest {
        case .md5:
            return "MD5:"
                + hash.map { byte in
                    let hex = String(byte, radix: 16)
                    return byte < 16 ? "0" + hex : hex
                }.joined(separator: ":")
        case .sha1, .sha256, .sha384, .sha512:
            return digest.rawValue + ":" + Base64.encode(hash, padded: false)
        }
    }

    /// The label `ssh-keygen -l` prints in parentheses: `ED25519`, `ECDSA`, `RSA`, `DSA`, `ED25519-SK`,
    /// `ECDSA-SK`, and `-CERT` after any of these for certificates.
    public var typeLabel: String {
        switch material {
        case .ed25519: "ED25519"
        case .ecdsa: "ECDSA"
        case .rsa: "RSA"
        case .dsa: "DSA"
        case .securityKeyEd25519: "ED25519-SK"
        case .securityKeyECDSA: "ECDSA-SK"
        case .certificate(let certificate): certificate.key.typeLabel + "-CERT"
        }
    }

    /// The line `ssh-keygen -l` prints: `256 SHA256:… comment (ED25519)`; an empty comment prints as
    /// `no comment`.
    public func fingerprintLine(comment: String, digest: DigestAlgorithm = .sha256) -> String {
        "\(bits) \(fingerprint(digest)) \(comment.isEmpty ? "no comment" : comment) (\(typeLabel))"
    }
}
