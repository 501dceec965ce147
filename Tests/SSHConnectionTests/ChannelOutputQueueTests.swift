import NIOCore
import Testing

@testable import SSHConnection

/// A channel's output handed to its reader in batches: what was appended comes out together and
/// in order, queued output comes before the end, and a cancelled reader stops waiting.
struct ChannelOutputQueueTests {
    @Test func appendedOutputComesOutTogetherInOrder() async throws {
        let queue = ChannelOutputQueue()
        #expect(!queue.append(.stdout(ByteBuffer(string: "a"))))
        #expect(!queue.append(.stderr(ByteBuffer(string: "b"))))
        #expect(!queue.append(.eof))
        let batch = try #require(try await queue.next())
        #expect(batch.count == 3)
        guard case .stdout(let first) = batch[0], case .stderr(let second) = batch[1], case .eof = batch[2] else {
            Issue.record("unexpected batch \(batch)")
            return
        }
        #expect(String(buffer: first) == "a")
        #expect(String(buffer: second) == "b")
    }

    @Test func aWaitingReaderIsWokenWithEverythingAppended() async throws {
        let queue = ChannelOutputQueue()
        let reader = Task { try await queue.next() }
        while !queue.readerIsWaiting { try await Task.sleep(for: .milliseconds(1)) }
        // Appended while the reader waits: nothing reaches it until the wake, then both together.
        #expect(queue.append(.stdout(ByteBuffer(string: "x"))))
        #expect(queue.append(.exitStatus(7)))
        #expect(queue.readerIsWaiting)
        queue.wake()
        let batch = try #require(try await reader.value)
        #expect(batch.count == 2)
        if case .exitStatus(let status) = batch.last { #expect(status == 7) } else { Issue.record("no exit status") }
    }

    @Test func queuedOutputComesBeforeTheEnd() async throws {
        let queue = ChannelOutputQueue()
        _ = queue.append(.stdout(ByteBuffer(string: "last words")))
        queue.finish(throwing: ConnectionError(.channelClosed, "gone"))
        #expect(!queue.append(.eof))
        let batch = try #require(try await queue.next())
        #expect(batch.count == 1)
        await #expect(throws: ConnectionError.self) { try await queue.next() }
    }

    @Test func aCleanEndIsNil() async throws {
        let queue = ChannelOutputQueue()
        queue.finish()
        #expect(try await queue.next() == nil)
    }

    @Test func aCancelledReaderStopsWaiting() async throws {
        let queue = ChannelOutputQueue()
        let reader = Task { try await queue.next() }
        while !queue.readerIsWaiting { try await Task.sleep(for: .milliseconds(1)) }
        reader.cancel()
        #expect(try await reader.value == nil)
        #expect(!queue.append(.eof))
    }
}
