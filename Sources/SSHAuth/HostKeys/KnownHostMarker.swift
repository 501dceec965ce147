/// The marker that may open a known_hosts line (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").
///
/// A line without a marker records a host key. hostfile.c reads at most one marker, which must be followed
/// by white space; any other word starting with `@` makes the line invalid.
public enum KnownHostMarker: String, Sendable, Hashable, CaseIterable {
    /// `@cert-authority`: the key is a certificate authority trusted to sign host certificates for the
    /// hosts the line names.
    case certAuthority = "@cert-authority"
    /// `@revoked`: the key is revoked for the hosts the line names and must never be accepted, whatever
    /// else the file says; a certificate signed by it is refused too.
    case revoked = "@revoked"
}
