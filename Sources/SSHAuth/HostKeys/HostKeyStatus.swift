import SSHCrypto

/// What a known_hosts file says about the key a server presented (OpenSSH's `HostStatus` in hostfile.h).
public enum HostKeyStatus: Sendable, Hashable {
    /// The key is recorded for the host, or it is a host certificate signed by a CA recorded with
    /// `@cert-authority` for the host and valid for it now.
    case known
    /// The host has recorded keys and the presented key is none of them: ssh's "REMOTE HOST IDENTIFICATION
    /// HAS CHANGED". `expected` holds the recorded keys in file order; `presented` is the key as presented
    /// (a certificate stays a certificate here, though it was compared by the key it certifies).
    case changed(expected: [SSHPublicKey], presented: SSHPublicKey)
    /// Nothing is recorded for the host: ssh asks, or refuses under `StrictHostKeyChecking yes`.
    case unknown
    /// The key, or the CA that signed it, is listed by an `@revoked` line for the host: refuse, whatever
    /// else the file says.
    case revoked
}
