import NIOCore
import SSHTransport
import SSHWire

/// The connection protocol over an authenticated transport (RFC 4254): one actor owns the
/// ``ChannelMultiplexer``, a reader task feeds it the transport's payloads, and channels are
/// handed out as ``SSHChannel`` values whose output is an async sequence with back-pressure.
public actor ConnectionRuntime {
    private typealias Job = @Sendable () async -> Void

    private let transport: TransportConnection
    private let handlers: ConnectionHandlers
    /// The peer's identification line (RFC 4253 §4.2).
    public nonisolated var peerIdentification: String { transport.peerIdentification }
    /// Our identification line (RFC 4253 §4.2).
    public nonisolated var identification: String { transport.identification }
    private var multiplexer: ChannelMultiplexer
    private var opening: [ChannelID: CheckedContinuation<Void, any Error>] = [:]
    private var outputs: [ChannelID: ChannelOutputQueue] = [:]
    /// Outputs whose readers wait for what was appended, woken once the packets at hand are handled.
    private var sleepingReaders: [ChannelOutputQueue] = []
    private var requestStreams: [ChannelID: AsyncStream<ChannelRequestEvent>.Continuation] = [:]
    private var types: [ChannelID: ChannelType] = [:]
    private var writers: [ChannelID: [CheckedContinuation<Void, any Error>]] = [:]
    private var replies: [ChannelID: [CheckedContinuation<Bool, any Error>]] = [:]
    private var globalReplies: [CheckedContinuation<(Bool, ByteBuffer), any Error>] = []
    private let jobs: AsyncStream<Job>
    private let jobQueue: AsyncStream<Job>.Continuation
    private var failure: (any Error)?
    /// Set while the work a packet left pending is under way: later packets wait for it.
    private var completing = false
    /// The read loop, waiting for the connection to end.
    private var ended: CheckedContinuation<Void, Never>?
    /// The channels whose output goes to a consumer (``consumeOutput(of:_:)``) instead of their queue.
    private var consumers: [ChannelID: OutputConsumer] = [:]
    /// The channels whose consumer has output waiting for ``feedConsumers()``.
    private var consumersFed: [ChannelID] = []

    /// A synchronous taker of one channel's output, and its batch of the current read cycle.
    private final class OutputConsumer {
        let take: ([ChannelOutput]) -> Bool
        var batch: [ChannelOutput] = []
        /// The ``consumeOutput(of:_:)`` call waiting for the end.
        var ended: CheckedContinuation<Void, any Error>?

        init(take: @escaping ([ChannelOutput]) -> Bool) {
            self.take = take
        }
    }

    /// Runs `body` with a runtime over `transport` (authentication done), reading the
    /// transport until `body` returns. Channels and global requests the peer starts go to
    /// `handlers`; the default refuses them all. `socketIsThePath` false says the socket's round
    /// trip is not the path's (a local forward through a jump host): it is then taken as unknown
    /// (``ChannelMultiplexer/roundTrip``).
    public static func withRuntime<Result: Sendable>(
        over transport: TransportConnection, configuration: ChannelMultiplexer.Configuration = .init(),
        handlers: ConnectionHandlers = ConnectionHandlers(), socketIsThePath: Bool = true,
        _ body: @escaping @Sendable (ConnectionRuntime) async throws -> Result
    ) async throws -> Result {
        let runtime = ConnectionRuntime(transport: transport, configuration: configuration, handlers: handlers)
        if socketIsThePath { await runtime.learnRoundTrip() }
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask(executorPreference: runtime.loopExecutor) {
                await runtime.readLoop()
                return nil
            }
            group.addTask(executorPreference: runtime.loopExecutor) {
                await runtime.runJobs()
                return nil
            }
            group.addTask { try await body(runtime) }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return result }
            }
            throw ConnectionError(.channelClosed, "the connection ended")
        }
    }

    /// Serves the peer over `transport` (authentication done) until the connection ends: what
    /// a server does with a logged-in client. Channels and global requests go to `handlers`;
    /// their handlers are cancelled when the connection ends. Returns what ended it.
    @discardableResult
    public static func serve(
        over transport: TransportConnection, configuration: ChannelMultiplexer.Configuration = .init(),
        handlers: ConnectionHandlers
    ) async -> any Error {
        let runtime = ConnectionRuntime(transport: transport, configuration: configuration, handlers: handlers)
        await runtime.learnRoundTrip()
        await withTaskGroup(of: Bool.self) { group in
            group.addTask(executorPreference: runtime.loopExecutor) {
                await runtime.runJobs()
                return false
            }
            group.addTask(executorPreference: runtime.loopExecutor) {
                await runtime.readLoop()
                return true
            }
            // Until the read loop ends; then the handlers are cancelled.
            while let readLoopEnded = await group.next(), !readLoopEnded {}
            group.cancelAll()
        }
        return await runtime.failure ?? ConnectionError(.channelClosed, "the connection ended")
    }

    private init(transport: TransportConnection, configuration: ChannelMultiplexer.Configuration, handlers: ConnectionHandlers) {
        self.transport = transport
        self.handlers = handlers
        self.multiplexer = ChannelMultiplexer(configuration: configuration)
        self.initialWindow = configuration.initialWindow
        self.loop = transport.channel.eventLoop
        self.loopExecutor = transport.taskExecutor
        (jobs, jobQueue) = AsyncStream<Job>.makeStream()
    }

    /// Gives the multiplexer the connection's round trip, on which its send-ahead limit depends
    /// (``ChannelMultiplexer/Configuration/shortRoundTrip``).
    private func learnRoundTrip() async {
        multiplexer.roundTrip = await transport.minimumRoundTrip()
    }

    /// The window our channels start with where the round trip is short or unknown, the smallest
    /// one gets (``ChannelMultiplexer/Configuration/initialWindow``).
    nonisolated let initialWindow: UInt32
    /// The event loop of the transport's socket, where the runtime runs.
    private nonisolated let loop: any EventLoop

    /// The event loop of the connection's socket, where the runtime runs: the place for other
    /// channels (pipes, forwarded sockets) whose data goes through this connection.
    public nonisolated var eventLoop: any EventLoop { loop }
    /// The loop as the task executor of the read loop.
    private nonisolated let loopExecutor: EventLoopTaskExecutor

    /// The connection's event loop as a task executor. A reader that does little with each chunk
    /// (hands it to a file descriptor, say) and runs with this preference
    /// (`withTaskExecutorPreference`) takes its channel's output on the thread that read it from
    /// the socket, without a wake-up of another thread; work that may block for long does not
    /// belong there, since the connection's I/O waits for it.
    public nonisolated var taskExecutor: EventLoopTaskExecutor { loopExecutor }

    /// The runtime runs on its connection's event loop: a packet goes from the socket through the
    /// multiplexer to its channel's stream, and a write from the multiplexer to the socket,
    /// without a hand-off between threads.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loopExecutor.asUnownedSerialExecutor() }

    /// The transport under the connection.
    public nonisolated var transportConnection: TransportConnection { transport }

    /// Reads the transport until the connection ends or the calling task is cancelled. Packets
    /// are handled on the event loop in the job that read them from the socket, each read cycle
    /// in one synchronous pass (``readAvailable()``); the readers are woken once it is over.
    private func readLoop() async {
        transport.readCycles { [weak self] in
            self?.assumeIsolated { $0.readAvailable() }
        }
        readAvailable()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (ended: CheckedContinuation<Void, Never>) in
                if failure == nil { self.ended = ended } else { ended.resume() }
            }
        } onCancel: {
            loop.execute { [weak self] in
                self?.assumeIsolated { $0.fail(CancellationError()) }
            }
        }
    }

    /// Handles the packets received so far, unless a packet's pending work is still under way
    /// (it calls again when done). Called on the event loop at the end of each read cycle.
    private func readAvailable() {
        guard !completing, failure == nil else { return }
        do {
            while let payload = try transport.queuedPayload() {
                guard let pending = try handle(payload) else { continue }
                completing = true
                jobQueue.yield { [weak self] in await self?.complete(pending) }
                break
            }
        } catch {
            fail(error)
        }
        feedConsumers()
        wakeReaders()
    }

    /// Runs the handlers of accepted channels and pending open decisions as child tasks, on the
    /// connection's event loop (the task executor it runs with), as the runtime itself runs.
    private nonisolated func runJobs() async {
        await withDiscardingTaskGroup { group in
            for await job in jobs {
                group.addTask { await job() }
            }
        }
    }

    private func fail(_ error: any Error) {
        guard failure == nil else { return }
        failure = error
        ended?.resume()
        ended = nil
        jobQueue.finish()
        for continuation in requestStreams.values { continuation.finish() }
        requestStreams = [:]
        for waiting in globalReplies { waiting.resume(throwing: error) }
        globalReplies = []
        for continuation in opening.values { continuation.resume(throwing: error) }
        opening = [:]
        for id in Array(consumers.keys) { endConsumer(id, final: true, throwing: error) }
        for output in outputs.values { output.finish(throwing: error) }
        outputs = [:]
        for waiting in writers.values { waiting.forEach { $0.resume(throwing: error) } }
        writers = [:]
        for waiting in replies.values { waiting.forEach { $0.resume(throwing: error) } }
        replies = [:]
    }

    /// What a handled packet leaves the read loop to wait for before it reads on.
    private enum Pending {
        /// Replies handed to the transport: reading on waits until they are written.
        case written(EventLoopFuture<Void>)
        /// A global request for the handlers, answered before later packets so that replies
        /// keep the order of the requests (RFC 4254 §4).
        case globalRequest(GlobalRequestType, wantReply: Bool)
    }

    /// Feeds `payload` to the multiplexer and acts on what it makes of it, without suspending.
    private func handle(_ payload: ByteBuffer) throws -> Pending? {
        var out: [ByteBuffer] = []
        let event = try multiplexer.receive(payload, writingInto: &out)
        switch event {
        case .openRequested(let id, let type):
            let decide = handlers.channelOpen
            jobQueue.yield { [weak self] in
                let decision = await decide(type)
                await self?.settleOpen(id, type: type, decision)
            }
        case .opened(let id):
            opening.removeValue(forKey: id)?.resume()
        case .openFailed(let id, let reason, let text):
            opening.removeValue(forKey: id)?.resume(
                throwing: ConnectionError(.channelClosed, "the server refused the channel: \(reason) \(text)"))
        case .data(let id, let data):
            deliver(.stdout(data), to: id)
        case .extendedData(let id, let type, let data):
            if type == ChannelExtendedDataMessage.stderr { deliver(.stderr(data), to: id) } else {
                multiplexer.consumed(data.readableBytes, on: id, writingInto: &out)
            }
        case .writable(let id):
            writers.removeValue(forKey: id)?.forEach { $0.resume() }
        case .eof(let id):
            deliver(.eof, to: id)
        case .closed(let id):
            endConsumer(id, final: true)
            outputs.removeValue(forKey: id)?.finish()
            requestStreams.removeValue(forKey: id)?.finish()
            types[id] = nil
            writers.removeValue(forKey: id)?.forEach {
                $0.resume(throwing: ConnectionError(.channelClosed, "\(id) closed"))
            }
            replies.removeValue(forKey: id)?.forEach {
                $0.resume(throwing: ConnectionError(.channelClosed, "\(id) closed"))
            }
        case .request(let id, let request, let wantReply) where requestStreams[id] != nil:
            requestStreams[id]?.yield(ChannelRequestEvent(request: request, wantReply: wantReply))
        case .request(let id, let request, let wantReply):
            switch request {
            case .exitStatus(let status): deliver(.exitStatus(status), to: id)
            case .exitSignal(let signal): deliver(.exitSignal(signal), to: id)
            default: break
            }
            if wantReply { try multiplexer.reply(false, on: id, writingInto: &out) }
        case .requestReply(let id, let success):
            if var waiting = replies[id], !waiting.isEmpty {
                waiting.removeFirst().resume(returning: success)
                replies[id] = waiting
            }
        case .globalRequest(let request, let wantReply):
            return .globalRequest(request, wantReply: wantReply)
        case .globalReply(let success, let data):
            if !globalReplies.isEmpty { globalReplies.removeFirst().resume(returning: (success, data)) }
        case nil:
            break
        }
        // Replies wait to be written only once the socket's buffer is full: back-pressure on a
        // peer that sends requests faster than it reads the answers.
        guard let written = send(out), !transport.channel.isWritable else { return nil }
        return .written(written)
    }

    /// Waits for what ``handle(_:)`` left pending, then reads on.
    private func complete(_ pending: Pending) async {
        do {
            switch pending {
            case .written(let written):
                try await Self.settle(written)
            case .globalRequest(let request, let wantReply):
                let answer = await handlers.globalRequest(request, self)
                if wantReply {
                    var out: [ByteBuffer] = []
                    try multiplexer.replyGlobal(
                        success: answer.success, data: ByteBuffer(bytes: answer.data), writingInto: &out)
                    try await Self.settle(send(out))
                }
            }
        } catch {
            fail(error)
            return
        }
        completing = false
        readAvailable()
    }

    /// Appends `output` to channel `id`'s queue, or to its consumer's batch; a waiting reader is
    /// woken by ``wakeReaders()``, a consumer is handed its batch by ``feedConsumers()``.
    private func deliver(_ output: ChannelOutput, to id: ChannelID) {
        if let consumer = consumers[id] {
            if consumer.batch.isEmpty { consumersFed.append(id) }
            consumer.batch.append(output)
            return
        }
        guard let queue = outputs[id], queue.append(output), sleepingReaders.last !== queue else { return }
        sleepingReaders.append(queue)
    }

    /// Hands each consumer the output delivered to it since the last call, and reports that data
    /// consumed (RFC 4254 §5.2): the consumer is done with it when it returns.
    private func feedConsumers() {
        guard !consumersFed.isEmpty else { return }
        let fed = consumersFed
        consumersFed = []
        var out: [ByteBuffer] = []
        for id in fed {
            guard let consumer = consumers[id], !consumer.batch.isEmpty else { continue }
            let batch = consumer.batch
            consumer.batch = []
            if !feed(batch, to: consumer.take, on: id, writingInto: &out) { endConsumer(id) }
        }
        _ = send(out)
    }

    /// Hands `batch` to `take` and reports its data (RFC 4254 §5.2) consumed, the window
    /// adjust it may bring written into `out`; returns what `take` returned.
    private func feed(
        _ batch: [ChannelOutput], to take: ([ChannelOutput]) -> Bool, on id: ChannelID, writingInto out: inout [ByteBuffer]
    ) -> Bool {
        let goesOn = take(batch)
        let bytes = batch.reduce(0) { total, output in
            switch output {
            case .stdout(let data), .stderr(let data): total + data.readableBytes
            default: total
            }
        }
        multiplexer.consumed(bytes, on: id, writingInto: &out)
        return goesOn
    }

    /// Stops channel `id`'s consumer: hands it what is left of its batch when the output ends
    /// (`final`), or gives that back to the channel's queue; then its ``consumeOutput(of:_:)``
    /// returns, or throws `error`.
    private func endConsumer(_ id: ChannelID, final: Bool = false, throwing error: (any Error)? = nil) {
        guard let consumer = consumers.removeValue(forKey: id) else { return }
        if !consumer.batch.isEmpty {
            if final {
                _ = consumer.take(consumer.batch)
            } else if let queue = outputs[id] {
                for output in consumer.batch { _ = queue.append(output) }
                queue.wake()
            }
            consumer.batch = []
        }
        if let error { consumer.ended?.resume(throwing: error) } else { consumer.ended?.resume() }
        consumer.ended = nil
    }

    /// Hands channel `channel`'s output to `take` in batches as it arrives: on the connection's
    /// event loop, in the job that read it from the socket, so that no task wakes to read it. The
    /// output queued before the call comes first. Data in a batch counts as consumed (RFC 4254
    /// §5.2) once `take` returns, so the peer's window reopens at once: `take` finishes with the
    /// data (writes it to a descriptor, say) before it returns, and keeps it short, since the
    /// connection's I/O waits for it. Returns once `take` returns false (later output goes to the
    /// channel's `output` again) or the output has ended, all of it handed over; throws when the
    /// connection fails. Not while a task reads the channel's `output`.
    public func consumeOutput(
        of channel: SSHChannel, _ take: sending @escaping ([ChannelOutput]) -> Bool
    ) async throws {
        let id = channel.id
        // What was queued first; the window adjusts are not waited for, since output delivered
        // meanwhile would miss the consumer.
        while let taken = try channel.outputQueue.takeNow() {
            guard case .items(let queued) = taken else { return }
            var out: [ByteBuffer] = []
            let goesOn = feed(queued, to: take, on: id, writingInto: &out)
            _ = send(out)
            if !goesOn { return }
        }
        guard outputs[id] != nil, consumers[id] == nil else { return }
        if let failure { throw failure }
        let consumer = OutputConsumer(take: take)
        consumers[id] = consumer
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (ended: CheckedContinuation<Void, any Error>) in
                if consumers[id] === consumer { consumer.ended = ended } else { ended.resume() }
            }
        } onCancel: {
            loop.execute { [weak self] in
                self?.assumeIsolated { $0.endConsumer(id) }
            }
        }
    }

    /// Wakes the readers that wait for output appended since the last call.
    private func wakeReaders() {
        guard !sleepingReaders.isEmpty else { return }
        let readers = sleepingReaders
        sleepingReaders = []
        for reader in readers { reader.wake() }
    }

    /// Sends what the multiplexer wrote: wakes the readers (they are not kept waiting while a task
    /// waits for the transport) and hands the payloads to the transport at once, in the same job
    /// as the multiplexer call that made them, so messages go out in the order the multiplexer
    /// decided them (an EOF never after the CLOSE that followed it) whichever tasks decided them.
    /// Returns what ``settle(_:)`` waits for; nil for nothing sent.
    private func send(_ payloads: [ByteBuffer]) -> EventLoopFuture<Void>? {
        guard !payloads.isEmpty else { return nil }
        wakeReaders()
        return transport.write(contentsOf: payloads)
    }

    /// ``send(_:)`` for data messages, each a head and a slice of the data.
    private func send(_ payloads: [SplitPayload]) -> EventLoopFuture<Void>? {
        guard !payloads.isEmpty else { return nil }
        wakeReaders()
        return transport.write(contentsOf: payloads)
    }

    /// Waits until what ``send(_:)`` handed over is written, in the caller's isolation.
    private nonisolated(nonsending) static func settle(_ written: EventLoopFuture<Void>?) async throws {
        guard let written else { return }
        try await TransportConnection.settled(written)
    }

    /// Confirms or refuses a channel the peer asked for, once the handlers decided.
    private func settleOpen(_ id: ChannelID, type: ChannelType, _ decision: ChannelOpenDecision) async {
        guard failure == nil else { return }
        var out: [ByteBuffer] = []
        do {
            switch decision {
            case .reject(let reason, let text):
                try multiplexer.reject(id, reason: reason, description: text, writingInto: &out)
                try await Self.settle(send(out))
            case .accept(let receivesRequests, let handler):
                try multiplexer.accept(id, writingInto: &out)
                let stream = ChannelOutputQueue()
                outputs[id] = stream
                types[id] = type
                var requests: AsyncStream<ChannelRequestEvent>?
                if receivesRequests {
                    let (requestStream, requestContinuation) = AsyncStream<ChannelRequestEvent>.makeStream()
                    requestStreams[id] = requestContinuation
                    requests = requestStream
                }
                let channel = SSHChannel(id: id, type: type, runtime: self, stream: stream, requests: requests)
                try await Self.settle(send(out))
                jobQueue.yield {
                    await handler(channel)
                    try? await channel.close()
                }
            }
        } catch {
            fail(error)
        }
    }

    // MARK: Channels

    /// Opens a session channel (RFC 4254 §6.1).
    public func openSession() async throws -> SSHChannel {
        try await openChannel(.session)
    }

    /// Opens a channel of any type (RFC 4254 §5.1): `direct-tcpip` for a local forwarding,
    /// `forwarded-tcpip` from a server for a remote one, and so on. Throws when the peer refuses.
    public func openChannel(_ type: ChannelType) async throws -> SSHChannel {
        if let failure { throw failure }
        var out: [ByteBuffer] = []
        let id = try multiplexer.open(type, writingInto: &out)
        let stream = ChannelOutputQueue()
        outputs[id] = stream
        types[id] = type
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            // The connection may have ended while this task waited for the actor.
            if let failure { return opened.resume(throwing: failure) }
            opening[id] = opened
            _ = send(out)
        }
        return SSHChannel(id: id, type: type, runtime: self, stream: stream, requests: nil)
    }

    /// Sends a global request (RFC 4254 §4) and, when `wantReply`, waits for the answer and
    /// its data (for `tcpip-forward` with port 0, the port the server bound).
    public func globalRequest(_ request: GlobalRequestType, wantReply: Bool = true) async throws -> (
        success: Bool, data: ByteBuffer
    ) {
        if let failure { throw failure }
        var out: [ByteBuffer] = []
        multiplexer.globalRequest(request, wantReply: wantReply, writingInto: &out)
        guard wantReply else {
            try await Self.settle(send(out))
            return (true, ByteBuffer())
        }
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<(Bool, ByteBuffer), any Error>) in
            if let failure { return answer.resume(throwing: failure) }
            globalReplies.append(answer)
            _ = send(out)
        }
    }

    /// The number of channels open now (RFC 4254 §5).
    public var openChannelCount: Int { multiplexer.openChannels }

    /// The number of open channels of `type`'s kind, by name.
    public func openChannels(named name: String) -> Int {
        types.values.filter { $0.name == name }.count
    }

    /// The open channels, by number, with the type each was opened as (RFC 4254 §5.1).
    public var openChannelTypes: [(id: ChannelID, type: ChannelType)] {
        types.sorted { $0.key.rawValue < $1.key.rawValue }.map { (id: $0.key, type: $0.value) }
    }

    /// Starts a key re-exchange (RFC 4253 §9); channels go on meanwhile.
    public func rekey() async throws {
        try await transport.rekey()
    }

    /// Answers the oldest channel request on `id` that wanted a reply.
    func reply(_ success: Bool, on id: ChannelID) async throws {
        var out: [ByteBuffer] = []
        try multiplexer.reply(success, on: id, writingInto: &out)
        try await Self.settle(send(out))
    }

    /// Sends a channel request and, when `wantReply`, waits for the answer.
    func request(_ request: ChannelRequestType, on id: ChannelID, wantReply: Bool) async throws -> Bool {
        var out: [ByteBuffer] = []
        try multiplexer.request(request, on: id, wantReply: wantReply, writingInto: &out)
        guard wantReply else {
            try await Self.settle(send(out))
            return true
        }
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Bool, any Error>) in
            if let failure { return answer.resume(throwing: failure) }
            guard outputs[id] != nil else { return answer.resume(throwing: ConnectionError(.channelClosed, "\(id) closed")) }
            replies[id, default: []].append(answer)
            _ = send(out)
        }
    }

    /// Writes all of `data`, waiting for window when the peer's is used up.
    func write(_ data: ByteBuffer, on id: ChannelID, extendedType: UInt32? = nil) async throws {
        var data = data
        while true {
            if let failure { throw failure }
            var out: [SplitPayload] = []
            try multiplexer.send(&data, on: id, extendedType: extendedType, writingInto: &out)
            try await Self.settle(send(out))
            if data.readableBytes == 0 { return }
            try await waitForWindow(on: id, atLeast: 1)
        }
    }

    /// Waits until the peer's window on `id` admits `bytes`, or, sooner, until it grows at all.
    private func waitForWindow(on id: ChannelID, atLeast bytes: Int) async throws {
        try await withCheckedThrowingContinuation { (writable: CheckedContinuation<Void, any Error>) in
            // While the writer sent, the connection may have ended or the channel closed: then
            // nobody would ever wake a waiting writer.
            if let failure {
                writable.resume(throwing: failure)
            } else if outputs[id] == nil {
                writable.resume(throwing: ConnectionError(.channelClosed, "\(id) closed"))
            } else if multiplexer.sendableBytes(on: id) >= bytes {
                writable.resume()
            } else {
                writers[id, default: []].append(writable)
            }
        }
    }

    /// Writes `data` as one CHANNEL_DATA message, waiting for window until the peer's holds all of it.
    func writeDatagram(_ data: ByteBuffer, on id: ChannelID) async throws {
        while true {
            if let failure { throw failure }
            var out: [SplitPayload] = []
            if try multiplexer.sendDatagram(data, on: id, writingInto: &out) {
                try await Self.settle(send(out))
                return
            }
            try await waitForWindow(on: id, atLeast: data.readableBytes)
        }
    }

    /// Reports that the reader used `bytes` of a channel's data, so the window can reopen.
    func consumed(_ bytes: Int, on id: ChannelID) async throws {
        var out: [ByteBuffer] = []
        multiplexer.consumed(bytes, on: id, writingInto: &out)
        try await Self.settle(send(out))
    }

    func sendEOF(on id: ChannelID) async throws {
        var out: [ByteBuffer] = []
        try multiplexer.sendEOF(on: id, writingInto: &out)
        try await Self.settle(send(out))
    }

    func finish(_ id: ChannelID, exit: ChannelRequestType) async throws {
        guard outputs[id] != nil else { return }
        var out: [ByteBuffer] = []
        try? multiplexer.sendEOF(on: id, writingInto: &out)
        try? multiplexer.request(exit, on: id, wantReply: false, writingInto: &out)
        try? multiplexer.close(id, writingInto: &out)
        try await Self.settle(send(out))
    }

    func close(_ id: ChannelID) async throws {
        // Closed both ways already (the peer's CLOSE came first): nothing to do.
        guard outputs[id] != nil else { return }
        var out: [ByteBuffer] = []
        try multiplexer.close(id, writingInto: &out)
        try await Self.settle(send(out))
    }
}
