import NIOCore
import NIOPosix
import Testing

@testable import SSHTransport

/// The queue between the transport handler and its one reader.
@Suite(.timeLimit(.minutes(1)))
struct TransportEventQueueTests {
    /// A reader cancelled before it starts to wait stops at once: its cancellation handler, run as it is
    /// installed, finds no waiter to resume, so the wait itself must see the cancellation.
    @Test func aReaderCancelledBeforeItWaitsStops() async throws {
        let queue = TransportEventQueue(loop: MultiThreadedEventLoopGroup.singleton.next())
        for _ in 0..<100 {
            let reader = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await queue.next()
            }
            await #expect(throws: CancellationError.self) { try await reader.value }
        }
    }

    /// A reader cancelled while it waits stops too.
    @Test func aReaderCancelledWhileItWaitsStops() async throws {
        let queue = TransportEventQueue(loop: MultiThreadedEventLoopGroup.singleton.next())
        let reader = Task { try await queue.next() }
        await Task.yield()
        reader.cancel()
        await #expect(throws: CancellationError.self) { try await reader.value }
    }
}
