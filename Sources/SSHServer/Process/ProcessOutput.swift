import NIOConcurrencyHelpers
import NIOCore

/// A process's standard output or standard error as chunks of up to 1 MiB, ending at EOF: what the
/// server sends as channel data or extended data of type 1 (RFC 4254 §5.2, §6.5). It can be iterated
/// once; a second iterator throws ``SSHServerError/Code/outputAlreadyConsumed``. While the consumer
/// does not take chunks the process is held in `write` (back-pressure), so memory stays bounded.
public struct ProcessOutput: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    public typealias Failure = any Error

    private let producer: OutputProducer?
    private let claimed: NIOLockedValueBox<Bool>

    /// Output read from `producer`; nil for one that is empty (standard error with a terminal).
    init(_ producer: OutputProducer?) {
        self.producer = producer
        self.claimed = NIOLockedValueBox(false)
    }

    public func makeAsyncIterator() -> AsyncIterator {
        guard let producer else { return AsyncIterator(base: nil, refused: false) }
        let first = claimed.withLockedValue { claimed in
            defer { claimed = true }
            return !claimed
        }
        return first
            ? AsyncIterator(base: producer.makeAsyncIterator(), refused: false)
            : AsyncIterator(base: nil, refused: true)
    }

    /// Iterates a ``ProcessOutput``.
    public struct AsyncIterator: AsyncIteratorProtocol {
        public typealias Element = ByteBuffer
        public typealias Failure = any Error

        private var base: OutputProducer.AsyncIterator?
        private var refused: Bool

        fileprivate init(base: OutputProducer.AsyncIterator?, refused: Bool) {
            self.base = base
            self.refused = refused
        }

        /// The next chunk, or nil at EOF.
        public mutating func next() async throws -> ByteBuffer? {
            if refused {
                refused = false
                throw SSHServerError(.outputAlreadyConsumed, "the process's output is already being read")
            }
            guard let iterator = base else { return nil }
            base = nil
            let chunk = try await iterator.next()
            if chunk != nil { base = iterator }
            return chunk
        }
    }
}
