/// Attribute operations (draft-ietf-secsh-filexfer-02 §6.8, §6.9; OpenSSH PROTOCOL §4.7 for `lsetstat`).
extension SFTPClient {
    /// The attributes of `path`, following symbolic links (STAT, §6.8).
    public func stat(_ path: String) async throws -> SFTPAttributes {
        try await sendExpectingAttributes(.stat(path: absolutePath(path)))
    }

    /// The attributes of `path` itself, not of what a final symbolic link points to (LSTAT, §6.8).
    public func lstat(_ path: String) async throws -> SFTPAttributes {
        try await sendExpectingAttributes(.lstat(path: absolutePath(path)))
    }

    /// The attributes of an open handle (FSTAT, §6.8).
    public func fstat(_ handle: SFTPHandle) async throws -> SFTPAttributes {
        try await sendExpectingAttributes(.fstat(handle: handle))
    }

    /// Changes the attributes given in `attributes` (SETSTAT, §6.9).
    public func setstat(_ path: String, _ attributes: SFTPAttributes) async throws {
        try await sendExpectingOK(.setstat(path: absolutePath(path), attributes: attributes))
    }

    /// Changes the attributes of a symbolic link itself (`lsetstat@openssh.com`, PROTOCOL §4.7).
    public func lsetstat(_ path: String, _ attributes: SFTPAttributes) async throws {
        try requireExtension(SFTPExtensionName.lsetstat)
        try await sendExpectingOK(.extended(.lsetstat(path: absolutePath(path), attributes: attributes)))
    }

    /// Changes the attributes of an open handle (FSETSTAT, §6.9).
    public func fsetstat(_ handle: SFTPHandle, _ attributes: SFTPAttributes) async throws {
        try await sendExpectingOK(.fsetstat(handle: handle, attributes: attributes))
    }

    /// Sets the permission bits of `path` (paramiko's `chmod`).
    public func chmod(_ path: String, mode: UInt32) async throws {
        try await setstat(path, SFTPAttributes(permissions: mode))
    }

    /// Sets the owner and group of `path` (paramiko's `chown`).
    public func chown(_ path: String, uid: UInt32, gid: UInt32) async throws {
        try await setstat(path, SFTPAttributes(uid: uid, gid: gid))
    }

    /// Sets the access and modification times of `path`, in seconds since 1970 (paramiko's `utime`).
    public func utime(_ path: String, accessTime: UInt32, modificationTime: UInt32) async throws {
        try await setstat(path, SFTPAttributes(accessTime: accessTime, modificationTime: modificationTime))
    }

    /// Sets the size of `path`, cutting or extending it (paramiko's `truncate`).
    public func truncate(_ path: String, size: UInt64) async throws {
        try await setstat(path, SFTPAttributes(size: size))
    }
}
