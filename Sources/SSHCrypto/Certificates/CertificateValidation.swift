extension SSHCertificate {
    /// Why a certificate was refused.
    public enum Rejection: Error, Hashable, Sendable {
        /// The CA signature does not verify.
        case badSignature
        /// A user certificate presented as a host certificate or the reverse.
        case wrongKind
        /// Outside `validAfter ..< validBefore`.
        case expiredOrNotYetValid
        /// The principal is not listed, or the list is empty where a principal is required.
        case principalNotListed
        /// A critical option the caller does not understand (PROTOCOL.certkeys: must refuse).
        case unknownCriticalOption(String)
        /// The CA key is not one the caller trusts.
        case untrustedAuthority
    }

    /// The critical options OpenSSH defines for user certificates.
    public static let knownCriticalOptions: Set<String> = ["force-command", "source-address", "verify-required"]

    /// Whether the CA's signature over the certificate verifies (PROTOCOL.certkeys).
    public var hasValidSignature: Bool {
        signatureKey.isValidSignature(signature, for: signedBytes)
    }

    /// Checks the certificate as sshd and ssh do: a trusted CA, a valid signature, the expected kind,
    /// the validity interval at `now` (seconds since the epoch), the principal, and no unknown
    /// critical option. An empty principal list passes only with `requirePrincipal: false`, which is
    /// how sshd treats `cert-authority` keys restricted by a `principals=` option and how ssh treats
    /// host certificates (OpenSSH 9.2 accepts a host certificate that lists no principal);
    /// `TrustedUserCAKeys` requires a listed principal.
    public func validate(
        kind expected: Kind, principal: String, now: UInt64, trustedAuthorities: Set<SSHPublicKey>,
        requirePrincipal: Bool = true,
        understoodCriticalOptions: Set<String> = SSHCertificate.knownCriticalOptions
    ) throws(Rejection) {
        guard trustedAuthorities.contains(signatureKey) else { throw .untrustedAuthority }
        guard hasValidSignature else { throw .badSignature }
        guard kind == expected else { throw .wrongKind }
        guard validAfter <= now, now < validBefore else { throw .expiredOrNotYetValid }
        if principals.isEmpty {
            guard !requirePrincipal else { throw .principalNotListed }
        } else {
            guard principals.contains(principal) else { throw .principalNotListed }
        }
        for option in criticalOptions where !understoodCriticalOptions.contains(option.name) {
            throw .unknownCriticalOption(option.name)
        }
    }

    /// The text of a string-valued option such as `force-command` or `source-address`.
    public func criticalOption(_ name: String) -> String? {
        guard let data = criticalOptions.first(where: { $0.name == name })?.data else { return nil }
        var buffer = data[...]
        guard buffer.count >= 4 else { return nil }
        let length = buffer.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        buffer = buffer.dropFirst(4)
        guard buffer.count == length else { return nil }
        return String(decoding: buffer, as: UTF8.self)
    }
}
