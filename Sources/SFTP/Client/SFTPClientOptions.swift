/// How an ``SFTPClient`` behaves; the defaults suit OpenSSH and most servers.
public struct SFTPClientOptions: Sendable {
    /// Which order SYMLINK's two paths travel in (draft-ietf-secsh-filexfer-02 §6.10, OpenSSH PROTOCOL §4.1).
    public typealias SymlinkOrder = SFTPSymlinkOrder

    /// The SYMLINK argument order.
    public var symlinkOrder: SymlinkOrder = .automatic
    /// Requests kept in flight by a transfer (at least 1).
    public var maximumRequestsInFlight = 64
    /// The block size of transfers when the server does not announce `limits@openssh.com` (PROTOCOL §4.8).
    public var defaultBlockSize = 32 * 1024
    /// The largest block size used even when the server's limits allow more: 255 KiB (LIMITS.md).
    public var maximumBlockSize = 255 * 1024

    /// The defaults.
    public init() {}
}
