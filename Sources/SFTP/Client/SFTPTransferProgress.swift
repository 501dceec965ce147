/// How far a transfer has come, reported after every block (paramiko's `callback(bytes, total)`).
public struct SFTPTransferProgress: Sendable, Hashable {
    /// Bytes transferred so far, a resumed transfer's first part included.
    public var bytesTransferred: UInt64
    /// The expected total, when known.
    public var totalBytes: UInt64?
    /// The average rate of this transfer so far, in bytes per second.
    public var bytesPerSecond: Double

    /// Creates a progress report.
    public init(bytesTransferred: UInt64, totalBytes: UInt64?, bytesPerSecond: Double) {
        self.bytesTransferred = bytesTransferred
        self.totalBytes = totalBytes
        self.bytesPerSecond = bytesPerSecond
    }
}

/// Options of ``SFTPClient/get(_:to:options:)``, ``SFTPClient/put(_:to:options:)`` and their recursive forms.
public struct SFTPTransferOptions: Sendable {
    /// What a recursive transfer does with a symbolic link.
    public enum SymbolicLinks: Sendable, Hashable {
        /// Recreate the link with the same target text (the default, like `cp -a`).
        case preserve
        /// Transfer what the link points to.
        case follow
        /// Leave it out.
        case skip
    }

    /// Called after every block; runs on the session's reader, so keep it short.
    public var progress: (@Sendable (SFTPTransferProgress) -> Void)?
    /// Continue a partial transfer: `get` appends to the local file from its current size, `put` to the
    /// remote file from its current size (paramiko's `reget`/`reput`).
    public var resume = false
    /// Give the copy the source's permission bits and access and modification times.
    public var preserveAttributes = false
    /// Requests in flight; nil takes ``SFTPClientOptions/maximumRequestsInFlight``.
    public var requestsInFlight: Int?
    /// Bytes per READ or WRITE; nil takes the server's `limits@openssh.com` or 32 KiB.
    public var blockSize: Int?
    /// Have the copy reach the disk before the transfer counts as done, as OpenSSH sftp's `-f` does:
    /// `get` fsyncs the local file; `put` asks the server to (`fsync@openssh.com`, PROTOCOL §4.6) when it
    /// offers the extension.
    public var flushToDisk = false
    /// The most bytes per second each file's transfer requests (OpenSSH sftp's `-l`); nil for no cap.
    public var bandwidthLimit: SFTPBandwidthLimit?
    /// Symbolic links met by a recursive transfer.
    public var symbolicLinks = SymbolicLinks.preserve
    /// Told of each directory a recursive transfer enters and each entry it leaves out.
    public var treeEvents: (@Sendable (SFTPTreeEvent) -> Void)?

    /// The defaults.
    public init(
        progress: (@Sendable (SFTPTransferProgress) -> Void)? = nil, resume: Bool = false,
        preserveAttributes: Bool = false
    ) {
        self.progress = progress
        self.resume = resume
        self.preserveAttributes = preserveAttributes
    }
}

/// Rate bookkeeping for progress reports.
struct ProgressMeter: Sendable {
    let start = ContinuousClock.now
    let total: UInt64?
    let report: (@Sendable (SFTPTransferProgress) -> Void)?

    func callAsFunction(_ bytes: UInt64, transferredThisRun: UInt64) {
        guard let report else { return }
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let rate = elapsed > 0 ? Double(transferredThisRun) / elapsed : 0
        report(SFTPTransferProgress(bytesTransferred: bytes, totalBytes: total, bytesPerSecond: rate))
    }
}
