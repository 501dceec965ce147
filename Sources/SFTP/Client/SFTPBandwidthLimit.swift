/// A cap on a transfer's rate, as OpenSSH sftp's and scp's `-l` set it: the blocks a transfer
/// requests (READ or WRITE) are spaced so that, from its first block on, no more bytes go than the
/// rate allows.
public struct SFTPBandwidthLimit: Sendable, Hashable {
    /// Bytes per second (at least 1).
    public var bytesPerSecond: Int

    /// A limit of `bytesPerSecond`.
    public init(bytesPerSecond: Int) {
        self.bytesPerSecond = max(1, bytesPerSecond)
    }

    /// A limit in Kbit/s as OpenSSH's `-l` counts them (1024 bits).
    public static func kilobitsPerSecond(_ kilobits: Int) -> Self {
        Self(bytesPerSecond: kilobits.multipliedReportingOverflow(by: 128).overflow ? .max : kilobits * 128)
    }
}

/// The pacing of one transfer under a ``SFTPBandwidthLimit``, without I/O: whether the next block may
/// go now, or how long it must wait.
struct SFTPPacer: Sendable {
    let limit: SFTPBandwidthLimit
    private var start: ContinuousClock.Instant?
    private var sent: UInt64 = 0

    init(_ limit: SFTPBandwidthLimit) { self.limit = limit }

    /// Zero when a block of `count` bytes may go at `now` (it is then counted), else how long to wait:
    /// the next block goes once the bytes already sent would have taken that long at the limit.
    mutating func delay(before count: Int, now: ContinuousClock.Instant) -> Duration {
        guard let start else {
            start = now
            sent = UInt64(count)
            return .zero
        }
        let seconds = Double(sent) / Double(limit.bytesPerSecond)
        let due = start + .nanoseconds(Int64(min(seconds * 1e9, Double(Int64.max / 2))))
        if due > now { return due - now }
        sent += UInt64(count)
        return .zero
    }
}

/// A pacer shared by the completions of one transfer, and the one timer that wakes it.
final class SFTPPacing: Sendable {
    private let pacer: Locked<(pacer: SFTPPacer, waiting: Bool)>

    init(_ limit: SFTPBandwidthLimit) { pacer = Locked((SFTPPacer(limit), false)) }

    /// True when a block of `count` bytes may go now (it is counted); otherwise false, and `resume`
    /// runs once it may (one timer at a time: a call while one waits only returns false).
    func admit(_ count: Int, resume: @escaping @Sendable () -> Void) -> Bool {
        let wait: Duration? = pacer.withLock { state in
            if state.waiting { return .zero }
            let delay = state.pacer.delay(before: count, now: .now)
            if delay == .zero { return nil }
            state.waiting = true
            return delay
        }
        guard let wait else { return true }
        if wait > .zero {
            Task { [pacer] in
                try? await Task.sleep(for: wait)
                pacer.withLock { $0.waiting = false }
                resume()
            }
        }
        return false
    }
}
