/// The algorithm lists of OpenSSH 9.2: what it supports (`ssh -Q`) and what it enables by default
/// (`ssh -G` with an empty configuration). Kept apart, as ssh_config(5) `Ciphers`, `MACs`, `KexAlgorithms`,
/// `HostKeyAlgorithms`, `PubkeyAcceptedAlgorithms`, `HostbasedAcceptedAlgorithms` and `CASignatureAlgorithms`
/// describe.
public enum SSHAlgorithmCatalog: Sendable {
    /// One kind of algorithm list.
    public enum Kind: Sendable, CaseIterable {
        case cipher, mac, kex, hostKey, caSignature, gssKex
    }

    /// Every name OpenSSH 9.2 accepts for the kind.
    public static func supported(_ kind: Kind) -> [String] {
        switch kind {
        case .cipher: return ciphers
        case .mac: return macs
        case .kex: return kex
        case .hostKey: return keyAlgorithms
        case .caSignature: return signatureAlgorithms
        case .gssKex: return gssKex
        }
    }

    /// The names OpenSSH 9.2 enables when the configuration says nothing.
    public static func defaults(_ kind: Kind) -> [String] {
        switch kind {
        case .cipher: return defaultCiphers
        case .mac: return defaultMACs
        case .kex: return defaultKex
        case .hostKey: return defaultKeyAlgorithms
        case .caSignature: return defaultCASignatures
        case .gssKex: return defaultGSSKex
        }
    }

    static let ciphers = [
        "3des-cbc", "aes128-cbc", "aes192-cbc", "aes256-cbc", "aes128-ctr", "aes192-ctr", "aes256-ctr",
        "aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
    ]
    static let defaultCiphers = [
        "chacha20-poly1305@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
        "aes256-gcm@openssh.com",
    ]
    static let macs = [
        "hmac-sha1", "hmac-sha1-96", "hmac-sha2-256", "hmac-sha2-512", "hmac-md5", "hmac-md5-96",
        "umac-64@openssh.com", "umac-128@openssh.com", "hmac-sha1-etm@openssh.com", "hmac-sha1-96-etm@openssh.com",
        "hmac-sha2-256-etm@openssh.com", "hmac-sha2-512-etm@openssh.com", "hmac-md5-etm@openssh.com",
        "hmac-md5-96-etm@openssh.com", "umac-64-etm@openssh.com", "umac-128-etm@openssh.com",
    ]
    static let defaultMACs = [
        "umac-64-etm@openssh.com", "umac-128-etm@openssh.com", "hmac-sha2-256-etm@openssh.com",
        "hmac-sha2-512-etm@openssh.com", "hmac-sha1-etm@openssh.com", "umac-64@openssh.com", "umac-128@openssh.com",
        "hmac-sha2-256", "hmac-sha2-512", "hmac-sha1",
    ]
    static let kex = [
        "diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1", "diffie-hellman-group14-sha256",
        "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512", "diffie-hellman-group-exchange-sha1",
        "diffie-hellman-group-exchange-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "curve25519-sha256", "curve25519-sha256@libssh.org", "sntrup761x25519-sha512",
        "sntrup761x25519-sha512@openssh.com", "mlkem768x25519-sha256",
    ]
    static let defaultKex = [
        "sntrup761x25519-sha512", "sntrup761x25519-sha512@openssh.com", "curve25519-sha256",
        "curve25519-sha256@libssh.org", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384", "ecdh-sha2-nistp521",
        "diffie-hellman-group-exchange-sha256", "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
        "diffie-hellman-group14-sha256",
    ]
    static let keyAlgorithms = [
        "ssh-ed25519", "ssh-ed25519-cert-v01@openssh.com", "sk-ssh-ed25519@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521",
        "ecdsa-sha2-nistp521-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
        "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com", "ssh-dss",
        "ssh-dss-cert-v01@openssh.com", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com", "rsa-sha2-256",
        "rsa-sha2-256-cert-v01@openssh.com", "rsa-sha2-512", "rsa-sha2-512-cert-v01@openssh.com",
    ]
    static let defaultKeyAlgorithms = [
        "ssh-ed25519-cert-v01@openssh.com", "ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "ecdsa-sha2-nistp384-cert-v01@openssh.com", "ecdsa-sha2-nistp521-cert-v01@openssh.com",
        "sk-ssh-ed25519-cert-v01@openssh.com", "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
        "rsa-sha2-512-cert-v01@openssh.com", "rsa-sha2-256-cert-v01@openssh.com", "ssh-ed25519",
        "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    ]
    static let signatureAlgorithms = [
        "ssh-ed25519", "sk-ssh-ed25519@openssh.com", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521", "sk-ecdsa-sha2-nistp256@openssh.com", "webauthn-sk-ecdsa-sha2-nistp256@openssh.com",
        "ssh-dss", "ssh-rsa", "rsa-sha2-256", "rsa-sha2-512",
    ]
    static let defaultCASignatures = [
        "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com", "rsa-sha2-512", "rsa-sha2-256",
    ]
    static let gssKex = [
        "gss-gex-sha1-", "gss-group1-sha1-", "gss-group14-sha1-", "gss-group14-sha256-", "gss-group16-sha512-",
        "gss-nistp256-sha256-", "gss-curve25519-sha256-",
    ]
    static let defaultGSSKex = [
        "gss-group14-sha256-", "gss-group16-sha512-", "gss-nistp256-sha256-", "gss-curve25519-sha256-",
        "gss-group14-sha1-", "gss-gex-sha1-",
    ]
}
