/// Names of the extensions this package speaks (OpenSSH PROTOCOL §4 and draft-ietf-secsh-filexfer-extensions).
public enum SFTPExtensionName {
    /// `posix-rename@openssh.com` (PROTOCOL §4.3): rename(2) semantics, replacing the target.
    public static let posixRename = "posix-rename@openssh.com"
    /// `statvfs@openssh.com` (PROTOCOL §4.4): statvfs(2) of a path.
    public static let statvfs = "statvfs@openssh.com"
    /// `fstatvfs@openssh.com` (PROTOCOL §4.4): fstatvfs(2) of an open handle.
    public static let fstatvfs = "fstatvfs@openssh.com"
    /// `hardlink@openssh.com` (PROTOCOL §4.5): link(2).
    public static let hardlink = "hardlink@openssh.com"
    /// `fsync@openssh.com` (PROTOCOL §4.6): fsync(2) of an open handle.
    public static let fsync = "fsync@openssh.com"
    /// `lsetstat@openssh.com` (PROTOCOL §4.7): SETSTAT that does not follow a final symbolic link.
    public static let lsetstat = "lsetstat@openssh.com"
    /// `limits@openssh.com` (PROTOCOL §4.8): the server's packet, read, write and handle limits.
    public static let limits = "limits@openssh.com"
    /// `expand-path@openssh.com` (PROTOCOL §4.9): REALPATH that also expands `~` and `~user`.
    public static let expandPath = "expand-path@openssh.com"
    /// `copy-data` (draft-ietf-secsh-filexfer-extensions-00 §7, PROTOCOL §4.10): a server-side copy
    /// between two open handles.
    public static let copyData = "copy-data"
    /// `home-directory` (draft-ietf-secsh-filexfer-extensions-00 §5, PROTOCOL §4.11): a user's home directory.
    public static let homeDirectory = "home-directory"
    /// `users-groups-by-id@openssh.com` (PROTOCOL §4.12): user and group names for numeric ids.
    public static let usersGroupsByID = "users-groups-by-id@openssh.com"
}
