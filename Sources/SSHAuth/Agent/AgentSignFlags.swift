import SSHCrypto

/// The flags of SSH_AGENTC_SIGN_REQUEST (draft-miller-ssh-agent-14 §3.6.1): for RSA keys they choose
/// the hash of the signature (RFC 8332); other key types have one signature algorithm and ignore them.
public struct AgentSignFlags: OptionSet, Sendable, Hashable {
    /// The flags as the `uint32` on the wire.
    public let rawValue: UInt32

    /// Creates flags from their wire value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// SSH_AGENT_RSA_SHA2_256: sign with `rsa-sha2-256`.
    public static let rsaSHA256 = AgentSignFlags(rawValue: 2)
    /// SSH_AGENT_RSA_SHA2_512: sign with `rsa-sha2-512`.
    public static let rsaSHA512 = AgentSignFlags(rawValue: 4)

    /// The flags that ask for `algorithm`: `rsa-sha2-256` and `rsa-sha2-512` (also as their
    /// `-cert-v01@openssh.com` names) set a flag, every other algorithm none.
    public init(requesting algorithm: String) {
        switch SSHPublicKey.plainAlgorithm(ofCertificateAlgorithm: algorithm) {
        case "rsa-sha2-256": self = .rsaSHA256
        case "rsa-sha2-512": self = .rsaSHA512
        default: self = []
        }
    }

    /// The signature algorithm these flags ask of a key of `type`, as OpenSSH's ssh-agent decides it:
    /// for RSA `rsa-sha2-256` when that flag is set, else `rsa-sha2-512` when that one is, else `ssh-rsa`;
    /// for other types the type's name.
    public func signatureAlgorithm(for type: SSHKeyType) -> String {
        guard type == .rsa else { return type.sshName }
        if contains(.rsaSHA256) { return "rsa-sha2-256" }
        if contains(.rsaSHA512) { return "rsa-sha2-512" }
        return "ssh-rsa"
    }
}
