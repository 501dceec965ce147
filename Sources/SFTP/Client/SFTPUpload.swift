import NIOCore

/// A pipelined upload of a local file to one open remote file (draft-ietf-secsh-filexfer-02 §6.4: WRITE).
///
/// Keeps up to `window` WRITEs in flight; each acknowledgement (STATUS OK) sends the next block, read from
/// the local file with `pread` straight into its frame. A block is read only while at most
/// ``lookahead`` bytes of frames wait to be written: past that, the stream (an SSH channel whose
/// window is full) is the bound, and reading further ahead would only hold the file in memory.
/// Any STATUS but OK stops the upload with that error.
final class SFTPUpload: Sendable {
    private struct State {
        var nextOffset: UInt64
        var inFlight = 0
        var acknowledged: UInt64 = 0
        var failure: SFTPError?
        var pumping = false
        var pumpAgain = false
        /// A room action is registered with the channel (see ``SFTPUpload/lookahead``).
        var waitingForRoom = false
        var done: CheckedContinuation<UInt64, any Error>?
    }

    private enum Step {
        case send(offset: UInt64, length: Int)
        case waitForRoom
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
    /// The most bytes of frames left waiting to be written before the next block is read: two blocks,
    /// and at least 1 MiB.
    var lookahead: Int { max(2 * plan.blockSize, 1 << 20) }

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
            let queued = channel.queuedBytes
            let step = state.withLock { state -> Step in
                if state.failure == nil, state.inFlight < plan.window, state.nextOffset < end {
                    if queued > lookahead {
                        // Held back until the stream takes what is queued; asked for once.
                        if !state.waitingForRoom {
                            state.waitingForRoom = true
                            return .waitForRoom
                        }
                    } else {
                        let offset = state.nextOffset
                        let length = Int(min(UInt64(plan.blockSize), end - offset))
                        // Held back by the rate cap, it waits for the cap's timer to pump again.
                        if plan.pacing?.admit(length, resume: { [self] in pump() }) ?? true {
                            state.nextOffset += UInt64(length)
                            state.inFlight += 1
                            return .send(offset: offset, length: length)
                        }
                    }
                }
                if state.pumpAgain {
                    state.pumpAgain = false
                    return .again
                }
                state.pumping = false
                // Done once nothing is in flight and nothing is left to send (a wait for room or for the
                // rate cap may hold back the rest).
                guard state.inFlight == 0, state.failure != nil || state.nextOffset >= end, let done = state.done
                else { return .idle }
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
            case .waitForRoom:
                channel.whenRoom(below: lookahead) { [self] in
                    state.withLock { $0.waitingForRoom = false }
                    pump()
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
