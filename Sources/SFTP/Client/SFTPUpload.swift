import NIOCore

/// A pipelined upload of a local file to one open remote file (draft-ietf-secsh-filexfer-02 §6.4: WRITE).
///
/// Keeps `window` WRITEs in flight; each acknowledgement (STATUS OK) sends the next block, read from the
/// local file with `pread` straight into its frame. Any STATUS but OK stops the upload with that error.
final class SFTPUpload: Sendable {
    private struct State {
        var nextOffset: UInt64
        var inFlight = 0
        var acknowledged: UInt64 = 0
        var failure: SFTPError?
        var pumping = false
        var pumpAgain = false
        var done: CheckedContinuation<UInt64, any Error>?
    }

    private enum Step {
        case send(offset: UInt64, length: Int)
        case again
        case idle
        case finish(CheckedContinuation<UInt64, any Error>, Result<UInt64, SFTPError>)
    }

    private let plan: SFTPTransferPlan
    private let source: LocalDescriptor
    private let end: UInt64
    private let state: Locked<State>
    private var channel: SFTPClientChannel { plan.channel }
    private var handle: SFTPHandle { plan.handle }

    /// An upload of local bytes in the plan's range (which must have an end) to the same offsets.
    init(_ plan: SFTPTransferPlan, from source: LocalDescriptor) {
        self.plan = plan
        self.source = source
        self.end = plan.end ?? plan.start
        self.state = Locked(State(nextOffset: plan.start))
    }

    /// Runs the upload; returns the bytes the server acknowledged.
    func run() async throws -> UInt64 {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UInt64, any Error>) in
            state.withLock { $0.done = continuation }
            pump()
        }
    }

    /// Sends blocks while the window has room. One pump runs at a time (a completion arriving meanwhile asks
    /// the running one to go round again).
    private func pump() {
        let first = state.withLock { state in
            if state.pumping { state.pumpAgain = true }
            defer { state.pumping = true }
            return !state.pumping
        }
        guard first else { return }
        while true {
            let step = state.withLock { state -> Step in
                if state.failure == nil, state.inFlight < plan.window, state.nextOffset < end {
                    let offset = state.nextOffset
                    let length = Int(min(UInt64(plan.blockSize), end - offset))
                    state.nextOffset += UInt64(length)
                    state.inFlight += 1
                    return .send(offset: offset, length: length)
                }
                if state.pumpAgain {
                    state.pumpAgain = false
                    return .again
                }
                state.pumping = false
                guard state.inFlight == 0, let done = state.done else { return .idle }
                state.done = nil
                return .finish(done, state.failure.map { .failure($0) } ?? .success(state.acknowledged))
            }
            switch step {
            case .send(let offset, let length):
                let source = self.source
                channel.send(completion: { [self] result in complete(UInt64(length), result) }) {
                    id, buffer throws(SFTPError) in
                    try SFTPRequest.encodeWriteFrame(id: id, handle: handle, offset: offset, into: &buffer) {
                        data throws(SFTPError) in
                        let got = try source.read(into: &data, count: length, at: offset)
                        guard got == length else {
                            throw SFTPError(.sizeMismatch, "local \(source.path) shrank to \(offset + UInt64(got)) bytes")
                        }
                    }
                }
            case .again:
                continue
            case .idle:
                return
            case .finish(let done, let result):
                done.resume(with: result.mapError { $0 as any Error })
                return
            }
        }
    }

    private func complete(_ length: UInt64, _ result: Result<SFTPResponse, SFTPError>) {
        var failure: SFTPError?
        switch result {
        case .success(.status(let status)) where status.code == .ok: break
        case .success(.status(let status)): failure = SFTPError(status: status)
        case .success(let other): failure = SFTPError(.badMessage, "\(other.packetType) in answer to WRITE")
        case .failure(let error): failure = error
        }
        let acknowledged = state.withLock { state -> UInt64 in
            state.inFlight -= 1
            if let failure {
                if state.failure == nil { state.failure = failure }
            } else {
                state.acknowledged += length
            }
            return state.acknowledged
        }
        if failure == nil { plan.meter(plan.start + acknowledged, transferredThisRun: acknowledged) }
        pump()
    }
}
