import NIOCore
import SSHWire

/// One channel of a connection (RFC 4254 §5): write to it, read its output as an async
/// sequence (reading is what reopens the peer's window), make requests, close it.
public struct SSHChannel: Sendable {
    /// Our number for the channel.
    public let id: ChannelID
    /// The channel's type and its type-specific data.
    public let type: ChannelType
    private let runtime: ConnectionRuntime
    private let stream: ChannelOutputQueue
    private let requestStream: AsyncStream<ChannelRequestEvent>?
    private let reportThreshold: Int

    init(
        id: ChannelID, type: ChannelType, runtime: ConnectionRuntime, stream: ChannelOutputQueue,
        requests: AsyncStream<ChannelRequestEvent>?
    ) {
        self.reportThreshold = max(1, min(512 * 1024, Int(runtime.initialWindow / 4)))
        self.id = id
        self.type = type
        self.runtime = runtime
        self.stream = stream
        self.requestStream = requests
    }

    /// The channel's output queue, for the runtime that made it.
    var outputQueue: ChannelOutputQueue { stream }

    /// The connection the channel belongs to.
    public var connection: ConnectionRuntime { runtime }

    /// The requests the peer makes on a channel accepted with `receivesRequests` (RFC 4254
    /// §5.4), in order, until the channel closes; empty for other channels. Answer each that
    /// wants a reply with ``reply(_:)``.
    public var requests: AsyncStream<ChannelRequestEvent> {
        requestStream ?? AsyncStream { $0.finish() }
    }

    /// Answers the oldest request that wanted a reply: CHANNEL_SUCCESS or CHANNEL_FAILURE.
    public func reply(_ success: Bool) async throws {
        try await runtime.reply(success, on: id)
    }

    /// Writes `data` as extended data of type 1, a session's standard error (RFC 4254 §5.2).
    public func writeStderr(_ data: ByteBuffer) async throws {
        try await runtime.write(data, on: id, extendedType: ChannelExtendedDataMessage.stderr)
    }

    /// Reports how the command ended: `exit-status` or `exit-signal` (RFC 4254 §6.10).
    public func sendExit(_ request: ChannelRequestType) async throws {
        _ = try await runtime.request(request, on: id, wantReply: false)
    }

    /// Ends a session the server side's way, in one write: EOF, how the command ended (`exit-status` or
    /// `exit-signal`) and CLOSE (RFC 4254 §5.3, §6.10). Each step the channel's state no longer allows
    /// (EOF already sent, the channel already closed) is left out.
    public func finish(exit: ChannelRequestType) async throws {
        try await runtime.finish(id, exit: exit)
    }

    /// Runs `command` (RFC 4254 §6.5); false when the server refuses.
    public func exec(_ command: String) async throws -> Bool {
        try await runtime.request(.exec(command: command), on: id, wantReply: true)
    }

    /// Starts a shell (RFC 4254 §6.5).
    public func shell() async throws -> Bool {
        try await runtime.request(.shell, on: id, wantReply: true)
    }

    /// Starts a subsystem such as `sftp` (RFC 4254 §6.5).
    public func subsystem(_ name: String) async throws -> Bool {
        try await runtime.request(.subsystem(name: name), on: id, wantReply: true)
    }

    /// Sends any channel request.
    public func request(_ request: ChannelRequestType, wantReply: Bool) async throws -> Bool {
        try await runtime.request(request, on: id, wantReply: wantReply)
    }

    /// Writes `data` as standard input, waiting while the peer's window is full.
    public func write(_ data: ByteBuffer) async throws {
        try await runtime.write(data, on: id)
    }

    /// Writes `data` as one CHANNEL_DATA message, never split: a packet of a datagram channel such as
    /// `tun@openssh.com` (OpenSSH PROTOCOL §2.3). Waits while the peer's window is smaller than `data`;
    /// throws `ConnectionError.datagramTooLarge` when `data` exceeds the peer's maximum packet.
    public func writeDatagram(_ data: ByteBuffer) async throws {
        try await runtime.writeDatagram(data, on: id)
    }

    /// Sends EOF: no more input (RFC 4254 §5.3).
    public func sendEOF() async throws {
        try await runtime.sendEOF(on: id)
    }

    /// Closes the channel (RFC 4254 §5.3).
    public func close() async throws {
        try await runtime.close(id)
    }

    /// The channel's output until it closes.
    public var output: Output { Output(stream: stream, runtime: runtime, id: id, reportThreshold: reportThreshold) }

    /// The channel's output, reporting each chunk read so the peer may send more.
    public struct Output: AsyncSequence, Sendable {
        public typealias Element = ChannelOutput
        let stream: ChannelOutputQueue
        let runtime: ConnectionRuntime
        let id: ChannelID
        let reportThreshold: Int

        public func makeAsyncIterator() -> Iterator {
            Iterator(stream: stream, runtime: runtime, id: id, reportThreshold: reportThreshold)
        }

        /// Reads the next output and reports data as consumed, in batches of up to
        /// ``reportThreshold`` bytes so that a stream of packets costs few trips to the runtime.
        /// Ends when the channel closes, or when the reading task is cancelled.
        public struct Iterator: AsyncIteratorProtocol {
            let stream: ChannelOutputQueue
            let runtime: ConnectionRuntime
            let id: ChannelID
            /// Consumed bytes held back before they are reported: a quarter of our window at most,
            /// below the half that triggers WINDOW_ADJUST, so the window always reopens in time.
            let reportThreshold: Int
            var unreported = 0
            /// The outputs handed over together, and how far the caller has taken them.
            var batch: [ChannelOutput] = []
            var taken = 0

            init(stream: ChannelOutputQueue, runtime: ConnectionRuntime, id: ChannelID, reportThreshold: Int) {
                self.stream = stream
                self.runtime = runtime
                self.id = id
                self.reportThreshold = reportThreshold
            }

            /// Whether ``next()`` has output at hand, handed over with what it returned last: true means
            /// the next call does not wait for the peer (RFC 4254 §5.2 data already received).
            public var hasBufferedOutput: Bool { taken < batch.count }

            public mutating func next() async throws -> ChannelOutput? {
                try await next(isolation: nil)
            }

            /// ``next()`` in the caller's isolation: a reader isolated to the channel's
            /// ``ConnectionRuntime`` (as `for try await` in such code calls it) waits and reports
            /// consumed data without leaving the connection's executor.
            public mutating func next(isolation actor: isolated (any Actor)?) async throws -> ChannelOutput? {
                // What the caller took last time is used by now.
                if unreported >= reportThreshold {
                    try await runtime.consumed(unreported, on: id)
                    unreported = 0
                }
                if taken == batch.count {
                    batch = []
                    taken = 0
                    guard let next = try await stream.next(isolation: actor) else { return nil }
                    batch = next
                }
                let element = batch[taken]
                taken += 1
                switch element {
                case .stdout(let data), .stderr(let data):
                    unreported += data.readableBytes
                default:
                    if unreported > 0 {
                        try await runtime.consumed(unreported, on: id)
                        unreported = 0
                    }
                }
                return element
            }
        }
    }
}
