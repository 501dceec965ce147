/// Which order SYMLINK's two paths travel in. draft-ietf-secsh-filexfer-02 §6.10 puts the link path
/// first; OpenSSH's sftp and sftp-server, paramiko and most others put the target first
/// (OpenSSH PROTOCOL §4.1).
public enum SFTPSymlinkOrder: Sendable, Hashable {
    /// For a client: OpenSSH's order, target first, when the server announces any `@openssh.com`
    /// extension, the draft's order otherwise. A client opened on an SSH connection first asks
    /// ``peerPutsLinkFirst(peer:ours:)`` of the two identification lines.
    case automatic
    /// Target path first, link path second: OpenSSH's sftp-server, paramiko and most servers.
    case targetFirst
    /// Link path first, target path second, as the draft words it.
    case linkFirst

    /// Whether a peer whose identification line (RFC 4253 §4.2) is `peer` puts the link path first
    /// when it talks to us, whose line is `ours`. AsyncSSH keeps to OpenSSH's order only with peers
    /// whose identification names OpenSSH or paramiko, and to the draft's with any other, as client
    /// and as server; every other implementation known here keeps to OpenSSH's.
    public static func peerPutsLinkFirst(peer: String, ours: String) -> Bool {
        peer.contains("AsyncSSH") && !ours.contains("OpenSSH") && !ours.contains("paramiko")
    }
}
