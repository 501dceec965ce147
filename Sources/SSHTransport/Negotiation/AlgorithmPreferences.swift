import SSHCrypto

/// The algorithms one side offers in KEXINIT (RFC 4253 §7.1), most preferred first.
///
/// Defaults follow OpenSSH 9.2's order, less what is not implemented here. ``supported``
/// lists everything that can be enabled; weak algorithms (diffie-hellman-group1-sha1,
/// 3des-cbc, hmac-md5, ssh-dss, ssh-rsa) are supported but not offered by default.
public struct AlgorithmPreferences: Sendable, Hashable {
    /// Key exchange methods.
    public var keyExchange: [String]
    /// Host key (signature) algorithms.
    public var hostKey: [String]
    /// Ciphers, used for both directions.
    public var ciphers: [String]
    /// MACs, used for both directions.
    public var macs: [String]
    /// Compression methods, used for both directions.
    public var compression: [String]

    /// Creates preferences from explicit lists.
    public init(keyExchange: [String], hostKey: [String], ciphers: [String], macs: [String], compression: [String]) {
        self.keyExchange = keyExchange
        self.hostKey = hostKey
        self.ciphers = ciphers
        self.macs = macs
        self.compression = compression
    }

    /// OpenSSH 9.2's defaults, less the security-key (`sk-`) host key algorithms, which are not
    /// offered here, with ML-KEM's hybrid key exchange first, as OpenSSH 10 has it. The MACs are
    /// OpenSSH 9.2's exactly, UMAC (RFC 4418) first.
    public static let defaults = AlgorithmPreferences(
        keyExchange: KeyExchangeMethod.defaults.map(\.name),
        hostKey: [
            "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
            "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
            "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com",
            "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
            "rsa-sha2-512", "rsa-sha2-256",
        ],
        ciphers: CipherAlgorithm.defaults.map(\.name),
        macs: MACAlgorithm.defaults.map(\.name),
        compression: ["none", "zlib@openssh.com", "zlib"]
    )

    /// Compression preferred: what `ssh -C` offers.
    public static let compressionPreferred = ["zlib@openssh.com", "zlib", "none"]

    /// Everything this library implements, for validating user-supplied lists.
    public static let supported = AlgorithmPreferences(
        keyExchange: KeyExchangeMethod.supported.map(\.name),
        hostKey: defaults.hostKey + ["ssh-rsa", "ssh-dss", "ssh-rsa-cert-v01@openssh.com", "ssh-dss-cert-v01@openssh.com"],
        ciphers: CipherAlgorithm.supported.map(\.name),
        macs: MACAlgorithm.supported.map(\.name),
        compression: ["none", "zlib@openssh.com", "zlib"]
    )

    /// These preferences without the named algorithms, in any slot (Paramiko's `disabled_algorithms`).
    public func disabling(_ names: Set<String>) -> AlgorithmPreferences {
        AlgorithmPreferences(
            keyExchange: keyExchange.filter { !names.contains($0) },
            hostKey: hostKey.filter { !names.contains($0) },
            ciphers: ciphers.filter { !names.contains($0) },
            macs: macs.filter { !names.contains($0) },
            compression: compression.filter { !names.contains($0) })
    }
}
