import NIOCore
import SSHConnection
import SSHWire

/// Buffered reading of a channel with timeouts, as Paramiko's `Channel` gives it (`recv` with
/// `settimeout`, `recv_ready`, `recv_stderr`, `makefile().readline`, `recv_exit_status`):
/// stdout and stderr are read as they come into buffers of their own, so neither stream can
/// block the other, and back-pressure holds once ``bufferLimit`` bytes wait unread.
public actor SSHChannelReader {
    /// The channel read.
    public nonisolated let channel: SSHChannel
    /// Bytes held unread (both streams) before the reader stops taking more from the channel,
    /// which then stops the peer through the channel window.
    public let bufferLimit: Int
    private var stdout = ByteBuffer()
    private var stderr = ByteBuffer()
    private var ended = false
    private var failure: (any Error)?
    private var exit: ChannelOutput?
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0
    private var pump: Task<Void, Never>?

    /// Reads `channel` from now on.
    public init(_ channel: SSHChannel, bufferLimit: Int = 4 << 20) {
        self.channel = channel
        self.bufferLimit = bufferLimit
    }

    private func startIfNeeded() {
        guard pump == nil else { return }
        let channel = self.channel
        pump = Task { [weak self] in
            do {
                for try await output in channel.output {
                    guard let self else { return }
                    await self.take(output)
                }
                await self?.end(nil)
            } catch {
                await self?.end(error)
            }
        }
    }

    private func take(_ output: ChannelOutput) async {
        switch output {
        case .stdout(var data): stdout.writeBuffer(&data)
        case .stderr(var data): stderr.writeBuffer(&data)
        case .eof: break
        case .exitStatus, .exitSignal: exit = output
        }
        notify()
        while stdout.readableBytes + stderr.readableBytes >= bufferLimit, !Task.isCancelled {
            await waitForChange(deadline: nil)
        }
    }

    private func end(_ error: (any Error)?) {
        ended = true
        failure = error
        notify()
    }

    private func notify() {
        let waiting = waiters
        waiters = [:]
        for continuation in waiting.values { continuation.resume() }
    }

    private func waitForChange(deadline: ContinuousClock.Instant?) async {
        let id = nextWaiter
        nextWaiter += 1
        await withCheckedContinuation { continuation in
            waiters[id] = continuation
            if let deadline {
                Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    await self?.expire(id)
                }
            }
        }
    }

    private func expire(_ id: Int) {
        waiters.removeValue(forKey: id)?.resume()
    }

    /// Waits until `ready` holds, the channel ends, or `timeout` passes (then throws
    /// ``SSHClientError/Code-swift.struct/timedOut``).
    private func wait(_ timeout: Duration?, until ready: () -> Bool) async throws {
        startIfNeeded()
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while !ready() && !ended {
            if let deadline, ContinuousClock.now >= deadline {
                throw SSHClientError(.timedOut, "nothing arrived on the channel within \(timeout!)")
            }
            await waitForChange(deadline: deadline)
        }
    }

    /// Whether stdout data is waiting (Paramiko's `recv_ready`).
    public var isReadable: Bool {
        startIfNeeded()
        return stdout.readableBytes > 0
    }

    /// Whether the channel has ended and everything was read.
    public var isFinished: Bool { ended && stdout.readableBytes == 0 && stderr.readableBytes == 0 }

    /// Up to `maxBytes` of stdout, waiting at most `timeout` for the first byte; empty at the end.
    public func read(maxBytes: Int = 32 * 1024, timeout: Duration? = nil) async throws -> ByteBuffer {
        try await wait(timeout) { stdout.readableBytes > 0 }
        return take(from: &stdout, maxBytes)
    }

    /// Up to `maxBytes` of stderr, waiting at most `timeout` (Paramiko's `recv_stderr`).
    public func readStderr(maxBytes: Int = 32 * 1024, timeout: Duration? = nil) async throws -> ByteBuffer {
        try await wait(timeout) { stderr.readableBytes > 0 }
        return take(from: &stderr, maxBytes)
    }

    /// The next line of stdout without its line feed (a carriage return before it goes too);
    /// the rest at the end without a line feed; nil once everything was read.
    public func readLine(timeout: Duration? = nil) async throws -> String? {
        try await wait(timeout) { stdout.readableBytesView.contains(0x0A) }
        if let newline = stdout.readableBytesView.firstIndex(of: 0x0A) {
            let length = newline - stdout.readerIndex
            var line = stdout.readString(length: length) ?? ""
            stdout.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            notify()
            return line
        }
        guard stdout.readableBytes > 0 else { return nil }
        let rest = stdout.readString(length: stdout.readableBytes)
        notify()
        return rest
    }

    /// Waits at most `timeout` for how the command ended: `exit-status` or `exit-signal`
    /// (Paramiko's `recv_exit_status`); nil when the channel closed without either.
    public func exitStatus(timeout: Duration? = nil) async throws -> ChannelOutput? {
        try await wait(timeout) { exit != nil }
        if exit == nil, let failure { throw failure }
        return exit
    }

    private func take(from buffer: inout ByteBuffer, _ maxBytes: Int) -> ByteBuffer {
        let slice = buffer.readSlice(length: min(maxBytes, buffer.readableBytes)) ?? ByteBuffer()
        buffer.discardReadBytes()
        notify()
        return slice
    }
}
