import NIOCore

/// A pipelined download of one open remote file (draft-ietf-secsh-filexfer-02 §6.4: READ and DATA).
///
/// Keeps `window` READs in flight. Each DATA is written to the local file at its offset with `pwritev` as it
/// arrives, on the session's reader, straight from the pieces it arrived in: blocks may land in any order
/// and nothing is reassembled or copied. A
/// short DATA re-requests the rest of its range; EOF marks where the file ends. The result is the number of
/// bytes received, checked by the caller against the size it expected.
final class SFTPDownload: Sendable {
    private struct State {
        var nextOffset: UInt64
        var endOfFile: UInt64?
        var retries: [(offset: UInt64, length: UInt32)] = []
        var inFlight = 0
        var received: UInt64 = 0
        var failure: SFTPError?
        var done: CheckedContinuation<UInt64, any Error>?
    }

    private let plan: SFTPTransferPlan
    private let file: LocalDescriptor
    private let state: Locked<State>
    private var channel: SFTPClientChannel { plan.channel }
    private var handle: SFTPHandle { plan.handle }

    /// A download of the plan's range into `file`.
    init(_ plan: SFTPTransferPlan, into file: LocalDescriptor) {
        self.plan = plan
        self.file = file
        self.state = Locked(State(nextOffset: plan.start))
    }

    /// Runs the download; returns the bytes received.
    func run() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UInt64, any Error>) in
            state.withLock { $0.done = continuation }
            pump()
        }
    }

    /// Where the file ended, if an EOF was seen.
    var endOfFile: UInt64? { state.withLock { $0.endOfFile } }

    private func pump() {
        var requests: [(offset: UInt64, length: UInt32)] = []
        let finished: (CheckedContinuation<UInt64, any Error>, Result<UInt64, SFTPError>)? = state.withLock { state in
            let limit = min(plan.end ?? .max, state.endOfFile ?? .max)
            var paced = false
            while state.failure == nil, state.inFlight < plan.window {
                if let retry = state.retries.popLast() {
                    guard retry.offset < limit else { continue }
                    requests.append(retry)
                } else if state.nextOffset < limit {
                    let length = UInt32(min(UInt64(plan.blockSize), limit - state.nextOffset))
                    // Held back by the rate cap: its timer pumps again.
                    if let pacing = plan.pacing, !pacing.admit(Int(length), resume: { [self] in pump() }) {
                        paced = true
                        break
                    }
                    requests.append((state.nextOffset, length))
                    state.nextOffset += UInt64(length)
                } else {
                    break
                }
                state.inFlight += 1
            }
            guard state.inFlight == 0, !paced || state.failure != nil, let done = state.done else { return nil }
            state.done = nil
            if let failure = state.failure { return (done, .failure(failure)) }
            return (done, .success(state.received))
        }
        if let (done, result) = finished {
            done.resume(with: result.mapError { $0 as any Error })
            return
        }
        for request in requests {
            channel.sendRead(handle: handle, offset: request.offset, length: request.length) { [self] result in
                complete(request.offset, request.length, result)
            }
        }
    }

    private func complete(_ offset: UInt64, _ length: UInt32, _ result: Result<SFTPReadReply, SFTPError>) {
        var failure: SFTPError?
        var retry: (UInt64, UInt32)?
        var endOfFile = false
        var count: UInt64 = 0
        switch result {
        case .success(.data(let pieces)):
            let size = pieces.reduce(0) { $0 + $1.readableBytes }
            if size > Int(length) {
                failure = SFTPError(.badMessage, "DATA of \(size) bytes for a READ of \(length)")
            } else if size == 0 {
                endOfFile = true
            } else {
                count = UInt64(size)
                do throws(SFTPError) {
                    try file.write(pieces, at: offset)
                } catch {
                    failure = error
                }
                if count < UInt64(length) { retry = (offset + count, length - UInt32(count)) }
            }
        case .success(.response(.status(let status))) where status.code == .endOfFile:
            endOfFile = true
        case .success(.response(let other)):
            failure = SFTPClient.unexpected(other, for: .read(handle: handle, offset: offset, length: length))
        case .failure(let error):
            failure = error
        }
        let received = state.withLock { state -> UInt64 in
            state.inFlight -= 1
            state.received += count
            if let failure, state.failure == nil { state.failure = failure }
            if let retry { state.retries.append(retry) }
            if endOfFile { state.endOfFile = min(state.endOfFile ?? .max, offset) }
            return state.received
        }
        if count > 0 { plan.meter(plan.start + received, transferredThisRun: received) }
        pump()
    }
}
