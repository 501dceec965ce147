import NIOCore
import SSHTransport
import SSHWire

/// The connection protocol over an authenticated transport (RFC 4254): one actor owns the
/// ``ChannelMultiplexer``, a reader task feeds it the transport's payloads, and channels are
/// handed out as ``SSHChannel`` values whose output is an async sequence with back-pressure.
public actor ConnectionRuntime {
    private let transport: TransportConnection
    private var multiplexer: ChannelMultiplexer
    private var opening: [ChannelID: CheckedContinuation<Void, any Error>] = [:]
    private var outputs: [ChannelID: AsyncThrowingStream<ChannelOutput, any Error>.Continuation] = [:]
    private var writers: [ChannelID: [CheckedContinuation<Void, any Error>]] = [:]
    private var replies: [ChannelID: [CheckedContinuation<Bool, any Error>]] = [:]
    private var failure: (any Error)?

    /// Runs `body` with a runtime over `transport` (authentication done), reading the
    /// transport until `body` returns.
    public static func withRuntime<Result: Sendable>(
        over transport: TransportConnection, configuration: ChannelMultiplexer.Configuration = .init(),
        _ body: @escaping @Sendable (ConnectionRuntime) async throws -> Result
    ) async throws -> Result {
        let runtime = ConnectionRuntime(transport: transport, configuration: configuration)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await runtime.readLoop()
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

    private init(transport: TransportConnection, configuration: ChannelMultiplexer.Configuration) {
        self.transport = transport
        self.multiplexer = ChannelMultiplexer(configuration: configuration)
    }

    private func readLoop() async {
        while !Task.isCancelled {
            do {
                let payload = try await transport.nextPayload()
                try await handle(payload)
            } catch {
                fail(error)
                return
            }
        }
    }

    private func fail(_ error: any Error) {
        failure = error
        for continuation in opening.values { continuation.resume(throwing: error) }
        opening = [:]
        for continuation in outputs.values { continuation.finish(throwing: error) }
        outputs = [:]
        for waiting in writers.values { waiting.forEach { $0.resume(throwing: error) } }
        writers = [:]
        for waiting in replies.values { waiting.forEach { $0.resume(throwing: error) } }
        replies = [:]
    }

    private func handle(_ payload: ByteBuffer) async throws {
        var out: [ByteBuffer] = []
        let event = try multiplexer.receive(payload, writingInto: &out)
        switch event {
        case .openRequested(let id, _):
            // A client takes no channel it did not ask for (forwardings register their own).
            try multiplexer.reject(id, reason: .administrativelyProhibited, description: "not requested", writingInto: &out)
        case .opened(let id):
            opening.removeValue(forKey: id)?.resume()
        case .openFailed(let id, let reason, let text):
            opening.removeValue(forKey: id)?.resume(
                throwing: ConnectionError(.channelClosed, "the server refused the channel: \(reason) \(text)"))
        case .data(let id, let data):
            outputs[id]?.yield(.stdout(data))
        case .extendedData(let id, let type, let data):
            if type == ChannelExtendedDataMessage.stderr { outputs[id]?.yield(.stderr(data)) } else {
                multiplexer.consumed(data.readableBytes, on: id, writingInto: &out)
            }
        case .writable(let id):
            writers.removeValue(forKey: id)?.forEach { $0.resume() }
        case .eof(let id):
            outputs[id]?.yield(.eof)
        case .closed(let id):
            outputs.removeValue(forKey: id)?.finish()
            writers.removeValue(forKey: id)?.forEach {
                $0.resume(throwing: ConnectionError(.channelClosed, "\(id) closed"))
            }
            replies.removeValue(forKey: id)?.forEach {
                $0.resume(throwing: ConnectionError(.channelClosed, "\(id) closed"))
            }
        case .request(let id, let request, let wantReply):
            switch request {
            case .exitStatus(let status): outputs[id]?.yield(.exitStatus(status))
            case .exitSignal(let signal): outputs[id]?.yield(.exitSignal(signal))
            default: break
            }
            if wantReply { try multiplexer.reply(false, on: id, writingInto: &out) }
        case .requestReply(let id, let success):
            if var waiting = replies[id], !waiting.isEmpty {
                waiting.removeFirst().resume(returning: success)
                replies[id] = waiting
            }
        case .globalRequest(_, let wantReply):
            if wantReply { try multiplexer.replyGlobal(success: false, writingInto: &out) }
        case .globalReply, nil:
            break
        }
        try await send(out)
    }

    private func send(_ payloads: [ByteBuffer]) async throws {
        for payload in payloads { try await transport.send(payload) }
    }

    // MARK: Channels

    /// Opens a session channel (RFC 4254 §6.1).
    public func openSession() async throws -> SSHChannel {
        if let failure { throw failure }
        var out: [ByteBuffer] = []
        let id = try multiplexer.open(.session, writingInto: &out)
        let (stream, continuation) = AsyncThrowingStream<ChannelOutput, any Error>.makeStream()
        outputs[id] = continuation
        try await withCheckedThrowingContinuation { (opened: CheckedContinuation<Void, any Error>) in
            opening[id] = opened
            Task { try? await self.send(out) }
        }
        return SSHChannel(id: id, runtime: self, stream: stream)
    }

    /// Sends a channel request and, when `wantReply`, waits for the answer.
    func request(_ request: ChannelRequestType, on id: ChannelID, wantReply: Bool) async throws -> Bool {
        var out: [ByteBuffer] = []
        try multiplexer.request(request, on: id, wantReply: wantReply, writingInto: &out)
        guard wantReply else {
            try await send(out)
            return true
        }
        return try await withCheckedThrowingContinuation { (answer: CheckedContinuation<Bool, any Error>) in
            replies[id, default: []].append(answer)
            Task { try? await self.send(out) }
        }
    }

    /// Writes all of `data`, waiting for window when the peer's is used up.
    func write(_ data: ByteBuffer, on id: ChannelID, extendedType: UInt32? = nil) async throws {
        var data = data
        while true {
            if let failure { throw failure }
            var out: [ByteBuffer] = []
            try multiplexer.send(&data, on: id, extendedType: extendedType, writingInto: &out)
            try await send(out)
            if data.readableBytes == 0 { return }
            try await withCheckedThrowingContinuation { (writable: CheckedContinuation<Void, any Error>) in
                if multiplexer.sendableBytes(on: id) > 0 {
                    writable.resume()
                } else {
                    writers[id, default: []].append(writable)
                }
            }
        }
    }

    /// Reports that the reader used `bytes` of a channel's data, so the window can reopen.
    func consumed(_ bytes: Int, on id: ChannelID) async throws {
        var out: [ByteBuffer] = []
        multiplexer.consumed(bytes, on: id, writingInto: &out)
        try await send(out)
    }

    func sendEOF(on id: ChannelID) async throws {
        var out: [ByteBuffer] = []
        try multiplexer.sendEOF(on: id, writingInto: &out)
        try await send(out)
    }

    func close(_ id: ChannelID) async throws {
        // Closed both ways already (the peer's CLOSE came first): nothing to do.
        guard outputs[id] != nil else { return }
        var out: [ByteBuffer] = []
        try multiplexer.close(id, writingInto: &out)
        try await send(out)
    }
}
