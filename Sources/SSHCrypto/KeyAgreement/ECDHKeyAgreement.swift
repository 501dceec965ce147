import COpenSSL

/// Elliptic-curve Diffie–Hellman on the NIST curves (RFC 5656 §4, SEC 1 §3.3.1): public
/// keys as uncompressed points, the peer's point checked to lie on the curve, and the
/// shared secret the x coordinate of the product.
public struct ECDHKeyAgreement: KeyAgreement {
    /// The curves ecdh-sha2-nistp256/384/521 use.
    public enum Curve: String, Sendable, Hashable, CaseIterable {
        case p256 = "P-256"
        case p384 = "P-384"
        case p521 = "P-521"

        /// libcrypto's name for the group.
        var groupName: String {
            switch self {
            case .p256: "prime256v1"
            case .p384: "secp384r1"
            case .p521: "secp521r1"
            }
        }

        var nid: Int32 {
            switch self {
            case .p256: NID_X9_62_prime256v1
            case .p384: NID_secp384r1
            case .p521: NID_secp521r1
            }
        }

        /// Bytes of a coordinate or scalar.
        public var coordinateLength: Int {
            switch self {
            case .p256: 32
            case .p384: 48
            case .p521: 66
            }
        }
    }

    /// The curve this agreement runs on.
    public let curve: Curve
    private let privateKey: OpenSSLKey
    public let publicValue: [UInt8]

    /// A fresh key pair; the private scalar is drawn from `random` and reduced into range.
    public init(curve: Curve, using random: inout some SSHRandomSource) throws(CryptoError) {
        try self.init(curve: curve, privateKey: random.secureBytes(curve.coordinateLength + 8))
    }

    /// A key pair from a known private scalar (big-endian; reduced modulo the group order,
    /// and must not reduce to zero).
    public init(curve: Curve, privateKey scalar: SecureBytes) throws(CryptoError) {
        self.curve = curve
        let group = try check(EC_GROUP_new_by_curve_name(curve.nid), "EC_GROUP_new_by_curve_name")
        defer { EC_GROUP_free(group) }
        let bnContext = try check(BN_CTX_secure_new(), "BN_CTX_secure_new")
        defer { BN_CTX_free(bnContext) }
        let raw = try scalar.withUnsafeBytes { bytes throws(CryptoError) in
            try check(
                BN_secure_new().flatMap {
                    BN_bin2bn(bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(bytes.count), $0)
                }, "BN_bin2bn")
        }
        defer { BN_clear_free(raw) }
        let order = try check(EC_GROUP_get0_order(group), "EC_GROUP_get0_order")
        let reduced = try check(BN_secure_new(), "BN_secure_new")
        defer { BN_clear_free(reduced) }
        try check(BN_nnmod(reduced, raw, order, bnContext), "BN_nnmod")
        guard BN_is_zero(reduced) == 0 else { throw CryptoError(.invalidKeyLength, "private scalar is zero") }

        let point = try check(EC_POINT_new(group), "EC_POINT_new")
        defer { EC_POINT_free(point) }
        try check(EC_POINT_mul(group, point, reduced, nil, nil, bnContext), "EC_POINT_mul")
        var encoded = [UInt8](repeating: 0, count: 1 + 2 * curve.coordinateLength)
        let written = encoded.withUnsafeMutableBufferPointer {
            EC_POINT_point2oct(group, point, POINT_CONVERSION_UNCOMPRESSED, $0.baseAddress, $0.count, bnContext)
        }
        guard written == encoded.count else { throw CryptoError.openSSL("EC_POINT_point2oct") }
        publicValue = encoded

        let scalarBytes = SecureBytes(count: curve.coordinateLength) { buffer in
            _ = BN_bn2binpad(reduced, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(buffer.count))
        }
        privateKey = try Self.makeKey(curve: curve, publicPoint: encoded, privateScalar: scalarBytes)
    }

    /// Builds an `EVP_PKEY` from a public point and, optionally, a private scalar.
    static func makeKey(curve: Curve, publicPoint: [UInt8], privateScalar: SecureBytes?) throws(CryptoError)
        -> OpenSSLKey
    {
        let key = publicPoint.withUnsafeBufferPointer { point in
            if let privateScalar {
                return privateScalar.withUnsafeBytes { scalar in
                    paramiko_ec_key_from_data(
                        curve.groupName, point.baseAddress, point.count,
                        scalar.baseAddress?.assumingMemoryBound(to: UInt8.self), scalar.count)
                }
            }
            return paramiko_ec_key_from_data(curve.groupName, point.baseAddress, point.count, nil, 0)
        }
        guard let key else {
            ERR_clear_error()
            throw CryptoError(.invalidPublicValue, "not a point on \(curve.rawValue)")
        }
        return OpenSSLKey(key)
    }

    public func sharedSecret(with peerPublicValue: some Collection<UInt8>) throws(CryptoError) -> SecureBytes {
        let point = Array(peerPublicValue)
        guard point.count == 1 + 2 * curve.coordinateLength, point.first == 0x04 else {
            throw CryptoError(.invalidPublicValue, "expected an uncompressed \(curve.rawValue) point")
        }
        let peer = try Self.makeKey(curve: curve, publicPoint: point, privateScalar: nil)
        let checkContext = try check(EVP_PKEY_CTX_new_from_pkey(nil, peer.pointer, nil), "EVP_PKEY_CTX_new")
        defer { EVP_PKEY_CTX_free(checkContext) }
        guard EVP_PKEY_public_check(checkContext) == 1 else {
            ERR_clear_error()
            throw CryptoError(.invalidPublicValue, "the peer's point is not valid on \(curve.rawValue)")
        }
        return try privateKey.derive(with: peer)
    }
}
