extension ECDHKeyAgreement.Curve {
    /// The curve identifier inside ECDSA key blobs (RFC 5656 §3.1, §6.1).
    var sshIdentifier: String {
        switch self {
        case .p256: "nistp256"
        case .p384: "nistp384"
        case .p521: "nistp521"
        }
    }

    /// The hash ecdsa-sha2-[identifier] signs with (RFC 5656 §6.2.1).
    var signatureDigest: DigestAlgorithm {
        switch self {
        case .p256: .sha256
        case .p384: .sha384
        case .p521: .sha512
        }
    }

    var keyType: SSHKeyType {
        switch self {
        case .p256: .ecdsaP256
        case .p384: .ecdsaP384
        case .p521: .ecdsaP521
        }
    }

    var bits: Int {
        switch self {
        case .p256: 256
        case .p384: 384
        case .p521: 521
        }
    }

    init?(sshIdentifier: String) {
        guard let match = Self.allCases.first(where: { $0.sshIdentifier == sshIdentifier }) else { return nil }
        self = match
    }

    init?(groupName: String) {
        guard let match = Self.allCases.first(where: { $0.groupName == groupName }) else { return nil }
        self = match
    }
}
