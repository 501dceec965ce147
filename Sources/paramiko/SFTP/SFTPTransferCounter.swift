import Foundation
import SFTP

/// Whether a transfer has moved any bytes yet, told by its progress reports (which arrive on the session's
/// reader thread).
final class SFTPTransferCounter: @unchecked Sendable {
    private let start: UInt64
    private let lock = NSLock()
    private var latest: UInt64

    /// A counter for a transfer starting at byte `start`.
    init(start: UInt64) {
        self.start = start
        self.latest = start
    }

    /// Takes a progress report.
    func record(_ progress: SFTPTransferProgress) {
        lock.withLock { latest = max(latest, progress.bytesTransferred) }
    }

    /// True once a byte past the start has moved.
    var hasMoved: Bool { lock.withLock { latest > start } }
}
