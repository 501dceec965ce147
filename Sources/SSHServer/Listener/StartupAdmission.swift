import NIOConcurrencyHelpers

/// sshd's MaxStartups as random early drop: below `start` unauthenticated connections every
/// new one is admitted; from there the chance of refusal rises linearly from `rate` percent to
/// 100 at `full`. A connection stops counting once it has authenticated or ended.
final class StartupAdmission: Sendable {
    private let unauthenticated = NIOLockedValueBox(0)
    private let start: Int
    private let rate: Int
    private let full: Int

    init(start: Int, rate: Int, full: Int) {
        self.start = start
        self.rate = rate
        self.full = max(full, start + 1)
    }

    /// The connections not yet authenticated.
    var pending: Int { unauthenticated.withLockedValue { $0 } }

    /// Decides a new connection; when admitted it counts as unauthenticated until
    /// ``leave()`` is called.
    func admit(roll: Int = Int.random(in: 0..<100)) -> Bool {
        unauthenticated.withLockedValue { count in
            if count >= full { return false }
            if count >= start {
                let chance = rate + (100 - rate) * (count - start) / (full - start)
                if roll < chance { return false }
            }
            count += 1
            return true
        }
    }

    /// An admitted connection authenticated or ended before it did.
    func leave() {
        unauthenticated.withLockedValue { $0 = max(0, $0 - 1) }
    }
}
