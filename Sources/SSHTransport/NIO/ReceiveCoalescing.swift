/// When a connection's socket should wake its reader only once a good many bytes wait (Linux's
/// `SO_RCVLOWAT`), decided from the sizes of its read cycles, without I/O.
///
/// A peer streaming bulk data (a download through sshd's 32 KiB packets) otherwise wakes the
/// reader for about every packet: the wake-ups, not the cipher, are then the larger part of the
/// reader's CPU. After ``requiredStreak`` read cycles of ``bulkCycle`` bytes or more in a row the
/// mark is raised; while it is raised a timer (``TransportConfiguration/receiveCoalescingDelay``)
/// runs from each read cycle, and when it fires with nothing read the mark is lowered, so a
/// stream's last bytes, or a reply the peer waits on, are read that much later at most. Each such
/// stall doubles the streak needed to raise the mark again, so request–response traffic soon stops
/// paying for it; a key exchange lowers the mark at once, since its packets are small and awaited.
struct ReceiveCoalescing: Sendable {
    /// A read cycle at least this large counts towards a streak.
    static let bulkCycle = 16 * 1024
    /// The streak needed at first.
    static let initialStreak = 8
    /// The most any streak has to be.
    static let longestStreak = 1024

    /// What the socket's low-water mark should become.
    enum Change: Equatable {
        /// Raise it to the configured number of bytes.
        case raise
        /// Lower it to one byte.
        case lower
    }

    /// Whether the mark is raised.
    private(set) var raised = false
    /// Bulk read cycles in a row.
    private var streak = 0
    /// The streak needed to raise the mark.
    private(set) var requiredStreak = initialStreak

    /// A read cycle brought `bytes`; `exchangingKeys` while a key exchange runs.
    mutating func readCycle(bytes: Int, exchangingKeys: Bool) -> Change? {
        guard !exchangingKeys else {
            streak = 0
            return lower()
        }
        guard bytes >= Self.bulkCycle else {
            streak = 0
            return lower()
        }
        streak += 1
        guard !raised, streak >= requiredStreak else { return nil }
        raised = true
        return .raise
    }

    /// The timer fired with no read cycle since the last: the peer paused below the mark.
    mutating func stalled() -> Change? {
        guard raised else { return nil }
        streak = 0
        requiredStreak = min(requiredStreak * 2, Self.longestStreak)
        return lower()
    }

    private mutating func lower() -> Change? {
        guard raised else { return nil }
        raised = false
        return .lower
    }
}
