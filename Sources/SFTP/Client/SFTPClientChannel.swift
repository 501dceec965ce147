import NIOCore
import SSHWire

/// The request plumbing under ``SFTPClient``: request ids, the table of outstanding requests, the outbox
/// and the reader task that matches each response to its request (draft-ietf-secsh-filexfer-02 §3:
/// responses may come in any order; the id pairs them).
///
/// Completions run on the reader, synchronously, in the order responses arrive: a pipelined transfer writes
/// a DATA reply to its file and sends the next READ right there, without a task switch. Over a pipe the
/// reader is the stream's own thread (``SFTPPipeStream``), so blocking `pwrite` never runs on Swift's pool.
final class SFTPClientChannel: Sendable {
    typealias Completion = @Sendable (Result<SFTPResponse, SFTPError>) -> Void
    typealias ReadCompletion = @Sendable (Result<SFTPReadReply, SFTPError>) -> Void

    /// Who waits for a response.
    private enum Pending {
        case response(Completion)
        /// A READ whose DATA may come as the pieces it arrived in.
        case read(ReadCompletion)

        func fail(_ failure: SFTPError) {
            switch self {
            case .response(let completion): completion(.failure(failure))
            case .read(let completion): completion(.failure(failure))
            }
        }
    }

    private struct State {
        var nextID: UInt32 = 1
        var pending: [UInt32: Pending] = [:]
        var version: CheckedContinuation<SFTPPacket, any Error>?
        var failure: SFTPError?
    }

    private let state = Locked(State())
    private let outbox: SFTPOutbox
    private let stream: SFTPByteStream

    init(stream: SFTPByteStream) {
        self.stream = stream
        let state = self.state
        outbox = SFTPOutbox(writer: stream.writer, executor: stream.readerExecutor) { failure in Self.fail(state, with: failure) }
    }

    /// Starts the reader, sends INIT and waits for VERSION (§4).
    func start(extensions: [SFTPExtensionPair]) async throws -> (version: UInt32, extensions: [SFTPExtensionPair]) {
        if let push = stream.pushInbound {
            let state = self.state
            push(
                InboundPush(
                    bytes: { [self] buffer in
                        do {
                            while let frame = try SFTPFramer.nextFrame(
                                in: &buffer, maximumFrameLength: SFTPPacket.maximumFrameLength)
                            {
                                try dispatch(frame)
                            }
                            return true
                        } catch {
                            Self.fail(state, with: Self.sftpError(error))
                            return false
                        }
                    },
                    end: { failure in
                        Self.fail(state, with: failure ?? SFTPError(.connectionLost, "the server closed the stream"))
                    }))
        } else if let takeInbound = stream.takeInbound {
            Task(executorPreference: stream.readerExecutor) { [self] in await takeResponses(with: takeInbound) }
        } else {
            Task(executorPreference: stream.readerExecutor) { [self] in await readResponses() }
        }
        let packet = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<SFTPPacket, any Error>) in
            let failure: SFTPError? = state.withLock { state in
                if let failure = state.failure { return failure }
                state.version = continuation
                return nil
            }
            if let failure {
                continuation.resume(throwing: failure)
                return
            }
            do throws(SFTPError) {
                try outbox.send(.initialize(version: SFTPPacket.protocolVersion, extensions: extensions))
            } catch {
                Self.fail(state, with: error)
            }
        }
        guard case .version(let version, let extensions) = packet else {
            throw SFTPError(.badMessage, "server answered INIT with \(packet.packetType)")
        }
        return (version, extensions)
    }

    /// Bytes of requests framed but not yet written to the stream.
    var queuedBytes: Int { outbox.queuedBytes }

    /// Runs `action` once the bytes framed but not yet written are `limit` or fewer (at once when they
    /// already are, or when the session has failed).
    func whenRoom(below limit: Int, _ action: @escaping @Sendable () -> Void) {
        outbox.whenRoom(below: limit, action)
    }

    /// Sends `request`; `completion` runs once with its response or the failure that ended the session.
    func send(_ request: SFTPRequest, completion: @escaping Completion) {
        send(completion: completion) { id, buffer in
            SFTPPacket.request(id: id, request).encodeFrame(into: &buffer)
        }
    }

    /// Sends a READ (§6.4); `completion` gets its DATA as the slices of the received chunks it spans (written
    /// out with one `pwritev`, never joined), or any other response, or the failure that ended the session.
    func sendRead(handle: SFTPHandle, offset: UInt64, length: UInt32, completion: @escaping ReadCompletion) {
        enqueue(.read(completion)) { id, buffer in
            SFTPPacket.request(id: id, .read(handle: handle, offset: offset, length: length)).encodeFrame(into: &buffer)
        }
    }

    /// Sends a request framed in place by `build` (given the id and the outbox buffer); for WRITE requests
    /// whose data is read from a file straight into the frame. When `build` throws (leaving nothing in the
    /// buffer), `completion` gets that failure and nothing is sent.
    func send(completion: @escaping Completion, build: (UInt32, inout ByteBuffer) throws(SFTPError) -> Void) {
        enqueue(.response(completion), build: build)
    }

    private func enqueue(_ waiter: Pending, build: (UInt32, inout ByteBuffer) throws(SFTPError) -> Void) {
        let failure: SFTPError? = state.withLock { state in
            if let failure = state.failure { return failure }
            let id = state.nextID
            state.nextID &+= 1
            state.pending[id] = waiter
            do throws(SFTPError) {
                try outbox.send { buffer throws(SFTPError) in try build(id, &buffer) }
            } catch {
                state.pending[id] = nil
                return error
            }
            return nil
        }
        if let failure { waiter.fail(failure) }
    }

    /// Sends `request` and waits for its response.
    func send(_ request: SFTPRequest) async throws -> SFTPResponse {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SFTPResponse, any Error>) in
            send(request) { continuation.resume(with: $0.mapError { $0 as any Error }) }
        }
    }

    /// Sends no more: ends the outbound stream once queued requests are written.
    func close() async {
        try? await outbox.flush()
        outbox.close()
        await stream.writer.finish()
        Self.fail(state, with: SFTPError(.noConnection, "the SFTP session is closed"))
    }

    /// The failure that ended the session, if it has ended.
    var failure: SFTPError? { state.withLock { $0.failure } }

    /// Reads and dispatches responses until the stream ends.
    private func readResponses() async {
        var framer = SFTPFramer()
        do {
            try await stream.forEachInboundChunk { chunk in
                framer.append(chunk)
                while let pieces = try framer.nextFramePieces() { try dispatch(pieces) }
            }
            Self.fail(state, with: SFTPError(.connectionLost, "the server closed the stream"))
        } catch {
            Self.fail(state, with: Self.sftpError(error))
        }
    }

    /// Dispatches responses as the stream hands their chunks over, until it ends.
    private func takeResponses(with takeInbound: SFTPByteStream.TakeInbound) async {
        var framer = SFTPFramer()
        do {
            try await takeInbound { [self] chunk in
                framer.append(chunk)
                while let pieces = try framer.nextFramePieces() { try dispatch(pieces) }
            }
            Self.fail(state, with: SFTPError(.connectionLost, "the server closed the stream"))
        } catch {
            Self.fail(state, with: Self.sftpError(error))
        }
    }

    private static func sftpError(_ error: any Error) -> SFTPError {
        if let error = error as? SFTPError { return error }
        if let error = error as? WireError { return SFTPError(error) }
        return SFTPError(.connectionLost, "reading: \(error)")
    }

    /// Dispatches a frame that arrived in pieces: a DATA answering a READ goes to it as they are, anything
    /// else is joined first.
    private func dispatch(_ pieces: [ByteBuffer]) throws {
        if pieces.count > 1, let (id, data) = Self.dataPieces(pieces) {
            let waiter = state.withLock { state -> ReadCompletion? in
                guard case .read(let completion) = state.pending[id] else { return nil }
                state.pending[id] = nil
                return completion
            }
            if let waiter { return waiter(.success(.data(data))) }
        }
        try dispatch(SFTPFramer.joined(pieces))
    }

    /// The request id and the data of a DATA frame (§7: type, id, string) given as pieces; nil for any other
    /// frame, or a DATA whose string does not end the frame exactly (left to the decoder to report).
    private static func dataPieces(_ pieces: [ByteBuffer]) -> (UInt32, [ByteBuffer])? {
        var rest = pieces
        var header = SFTPFramer.joined(SFTPFramer.take(9, from: &rest))
        guard header.readInteger(as: UInt8.self) == SFTPPacketType.data.rawValue,
            let id = header.readInteger(as: UInt32.self), let length = header.readInteger(as: UInt32.self),
            Int(length) == rest.reduce(0, { $0 + $1.readableBytes })
        else { return nil }
        return (id, rest)
    }

    private func dispatch(_ frame: ByteBuffer) throws {
        let packet = try SFTPPacket(decoding: frame)
        switch packet {
        case .response(let id, let response):
            switch state.withLock({ $0.pending.removeValue(forKey: id) }) {
            case .response(let completion): completion(.success(response))
            case .read(let completion):
                if case .data(let data) = response {
                    completion(.success(.data([data])))
                } else {
                    completion(.success(.response(response)))
                }
            case nil: throw SFTPError(.badMessage, "response to request \(id), which is not outstanding")
            }
        case .version:
            guard
                let waiter = state.withLock({ state in
                    defer { state.version = nil }
                    return state.version
                })
            else {
                throw SFTPError(.badMessage, "a second VERSION")
            }
            waiter.resume(returning: packet)
        case .initialize, .request:
            throw SFTPError(.badMessage, "the server sent \(packet.packetType), a client's packet")
        }
    }

    /// Ends the session: every outstanding request fails with `failure`, and so does every later one.
    private static func fail(_ state: Locked<State>, with failure: SFTPError) {
        let (pending, version) = state.withLock { state in
            if state.failure == nil { state.failure = failure }
            defer {
                state.pending = [:]
                state.version = nil
            }
            return (state.pending, state.version)
        }
        version?.resume(throwing: failure)
        for waiter in pending.values { waiter.fail(failure) }
    }
}

/// The reply to a READ (draft-ietf-secsh-filexfer-02 §6.4): DATA as the slices it arrived in, or another
/// response (a STATUS, normally EOF or an error).
enum SFTPReadReply: Sendable {
    case data([ByteBuffer])
    case response(SFTPResponse)
}
