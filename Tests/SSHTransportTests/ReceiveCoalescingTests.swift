import Testing

@testable import SSHTransport

/// When the socket's receive low-water mark goes up and down.
struct ReceiveCoalescingTests {
    @Test func aStreakOfBulkReadsRaisesTheMarkAndASmallReadLowersIt() {
        var coalescing = ReceiveCoalescing()
        for _ in 1..<ReceiveCoalescing.initialStreak {
            #expect(coalescing.readCycle(bytes: 34_000, exchangingKeys: false) == nil)
        }
        #expect(coalescing.readCycle(bytes: 34_000, exchangingKeys: false) == .raise)
        #expect(coalescing.raised)
        #expect(coalescing.readCycle(bytes: 200_000, exchangingKeys: false) == nil)
        // End of stream: what is left is small.
        #expect(coalescing.readCycle(bytes: 100, exchangingKeys: false) == .lower)
        #expect(!coalescing.raised)
        #expect(coalescing.stalled() == nil)
    }

    @Test func smallReadsInterruptTheStreak() {
        var coalescing = ReceiveCoalescing()
        for round in 0..<100 {
            let bytes = round % ReceiveCoalescing.initialStreak == 0 ? 512 : 64 * 1024
            #expect(coalescing.readCycle(bytes: bytes, exchangingKeys: false) == nil)
        }
        #expect(!coalescing.raised)
    }

    @Test func aKeyExchangeLowersTheMarkAtOnce() {
        var coalescing = ReceiveCoalescing()
        for _ in 0..<ReceiveCoalescing.initialStreak { _ = coalescing.readCycle(bytes: 64 * 1024, exchangingKeys: false) }
        #expect(coalescing.raised)
        #expect(coalescing.readCycle(bytes: 64 * 1024, exchangingKeys: true) == .lower)
        #expect(coalescing.readCycle(bytes: 64 * 1024, exchangingKeys: true) == nil)
        #expect(!coalescing.raised)
    }

    @Test func eachStallDoublesTheStreakUpToTheLongest() {
        var coalescing = ReceiveCoalescing()
        var expected = ReceiveCoalescing.initialStreak
        for _ in 0..<20 {
            var reads = 0
            while !coalescing.raised {
                _ = coalescing.readCycle(bytes: 32 * 1024, exchangingKeys: false)
                reads += 1
            }
            #expect(reads == expected)
            #expect(coalescing.stalled() == .lower)
            expected = min(expected * 2, ReceiveCoalescing.longestStreak)
            #expect(coalescing.requiredStreak == expected)
        }
        #expect(coalescing.requiredStreak == ReceiveCoalescing.longestStreak)
    }
}
