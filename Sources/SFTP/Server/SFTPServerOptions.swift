#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Limits an ``SFTPServer`` holds and announces in `limits@openssh.com` (OpenSSH PROTOCOL §4.8, LIMITS.md).
public struct SFTPServerOptions: Sendable {
    /// The longest READ answered and WRITE announced: 255 KiB, so a DATA reply fits a 256 KiB frame.
    public var maximumReadLength = 255 * 1024
    /// The longest WRITE announced.
    public var maximumWriteLength = 255 * 1024
    /// Handles open at once in one session: RLIMIT_NOFILE − 5 by default, as OpenSSH's sftp-server.
    public var maximumOpenHandles = SFTPServerOptions.defaultHandleLimit
    /// Whether SYMLINK's paths come target first, as OpenSSH's sftp, paramiko and ``SFTPClient``
    /// send them (OpenSSH PROTOCOL §4.1); false reads them in the draft's order, link first
    /// (draft-ietf-secsh-filexfer-02 §6.10).
    public var symlinkTargetFirst = true

    /// The defaults.
    public init() {}

    /// The defaults, with SYMLINK's order the one the client whose identification line is
    /// `clientIdentification` sends to a server whose line is `serverIdentification`
    /// (``SFTPSymlinkOrder/peerPutsLinkFirst(peer:ours:)``).
    public init(clientIdentification: String, serverIdentification: String) {
        symlinkTargetFirst = !SFTPSymlinkOrder.peerPutsLinkFirst(peer: clientIdentification, ours: serverIdentification)
    }

    /// RLIMIT_NOFILE's soft limit less five, at least one.
    public static var defaultHandleLimit: Int {
        var limit = rlimit()
        #if os(Linux)
            let resource = __rlimit_resource_t(UInt32(RLIMIT_NOFILE.rawValue))
        #else
            let resource = RLIMIT_NOFILE
        #endif
        guard getrlimit(resource, &limit) == 0 else { return 64 }
        // RLIM_INFINITY is all ones; clamp it like any other huge limit.
        let soft = min(UInt64(limit.rlim_cur), UInt64(Int32.max))
        return max(1, Int(soft) - 5)
    }
}
