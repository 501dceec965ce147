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

    private struct State {
        var nextID: UInt32 = 1
        var pending: [UInt32: Completion] = [:]
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

    /// Sends `request`; `completion` runs once with its response or the failure that ended the session.
    func send(_ request: SFTPRequest, completion: @escaping Completion) {
        send(completion: completion) { id, buffer in
            SFTPPacket.request(id: id, request).encodeFrame(into: &buffer)
        }
    }

    /// Sends a request framed in place by `build` (given the id and the outbox buffer); for WRITE requests
    /// whose data is read from a file straight into the frame. When `build` throws (leaving nothing in the
    /// buffer), `completion` gets that failure and nothing is sent.
    func send(completion: @escaping Completion, build: (UInt32, inout ByteBuffer) throws(SFTPError) -> Void) {
        let failure: SFTPError? = state.withLock { state in
            if let failure = state.failure { return failure }
            let id = state.nextID
            state.nextID &+= 1
            state.pending[id] = completion
            do throws(SFTPError) {
                try outbox.send { buffer throws(SFTPError) in try build(id, &buffer) }
            } catch {
                state.pending[id] = nil
                return error
            }
            return nil
        }
        if let failure { completion(.failure(failure)) }
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

    private func readResponses() async {
        var framer = SFTPFramer()
        do {
            try await stream.forEachInboundChunk { chunk in
                framer.append(chunk)
                while let frame = try framer.nextFrame() { try dispatch(frame) }
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

    private func dispatch(_ frame: ByteBuffer) throws {
        let packet = try SFTPPacket(decoding: frame)
        switch packet {
        case .response(let id, let response):
            guard let completion = state.withLock({ $0.pending.removeValue(forKey: id) }) else {
                throw SFTPError(.badMessage, "response to request \(id), which is not outstanding")
            }
            completion(.success(response))
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
        for completion in pending.values { completion(.failure(failure)) }
    }
}
