import Dispatch
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An ``SFTPByteStream`` over file descriptors: a subprocess's pipes (OpenSSH's `sftp-server`), our own
/// standard input and output (`paramiko sftp-server`), or a connected socket.
///
/// A dedicated reader reads up to ``chunkSize`` bytes per `read(2)` ahead of the consumer, with back-pressure
/// (`NIOThrowingAsyncSequenceProducer`, at most ``readAheadChunks`` chunks waiting); writes go out in order
/// on a serial queue. Blocking calls never run on Swift's cooperative pool. The stream owns the descriptors
/// and closes them: the write side at ``SFTPByteWriter/finish()``, the read side at EOF. SIGPIPE is
/// ignored process-wide, as SwiftNIO does, so that a vanished peer is an `EPIPE`, not a signal.
public enum SFTPPipeStream {
    /// The most bytes one `read(2)` asks for: a whole frame and a bit.
    public static let chunkSize = 256 * 1024 + 1024
    /// The pipe buffer asked for on Linux: room for four whole frames.
    public static let pipeSize: Int32 = 1 << 20
    /// How many chunks may wait for the consumer before reading pauses.
    public static let readAheadChunks = 16

    /// A stream reading `input` and writing `output`; the two may be one socket.
    public static func make(readingFrom input: Int32, writingTo output: Int32) -> SFTPByteStream {
        signal(SIGPIPE, SIG_IGN)
        let writeDescriptor = input == output ? dup(output) : output
        #if os(Linux)
            // A pipe holds 64 KiB unless asked for more; a 256 KiB frame then takes several wake-ups. Not a pipe
            // (a socket, a file): the call fails and changes nothing.
            let setPipeSize: Int32 = 1031  // F_SETPIPE_SZ
            for fd in [input, writeDescriptor] { _ = fcntl(fd, setPipeSize, pipeSize) }
        #endif
        let control = ReaderControl()
        let made = NIOThrowingAsyncSequenceProducer.makeSequence(
            elementType: ByteBuffer.self,
            backPressureStrategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
                lowWatermark: readAheadChunks / 4, highWatermark: readAheadChunks),
            finishOnDeinit: false,
            delegate: control)
        let source = made.source
        DispatchQueue(label: "sftp.pipe.reader.\(input)").async {
            readLoop(input, source: source, control: control)
        }
        return SFTPByteStream(inbound: made.sequence, writer: DescriptorWriter(descriptor: writeDescriptor))
    }

    /// A stream over this process's standard input and output, for serving SFTP the way OpenSSH's
    /// `sftp-server` does.
    public static func standardInputOutput() -> SFTPByteStream {
        make(readingFrom: dup(STDIN_FILENO), writingTo: dup(STDOUT_FILENO))
    }

    private typealias Source = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ReaderControl
    >.Source

    private static func readLoop(_ descriptor: Int32, source: Source, control: ReaderControl) {
        defer { close(descriptor) }
        let allocator = ByteBufferAllocator()
        while !control.isTerminated {
            var chunk = allocator.buffer(capacity: chunkSize)
            var failure: Int32 = 0
            let count = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { bytes in
                let result = read(descriptor, bytes.baseAddress, bytes.count)
                if result < 0 { failure = errno }
                return max(result, 0)
            }
            if count > 0 {
                switch source.yield(chunk) {
                case .produceMore: continue
                case .stopProducing: control.waitForDemand()
                case .dropped: return
                }
            } else if failure == EINTR {
                continue
            } else if failure != 0 {
                source.finish(SFTPError(.connectionLost, "read: \(String(cString: strerror(failure)))"))
                return
            } else {
                source.finish()
                return
            }
        }
        source.finish()
    }
}

/// Back-pressure signals from the inbound sequence to the reader.
private final class ReaderControl: NIOAsyncSequenceProducerDelegate, Sendable {
    private let demand = DispatchSemaphore(value: 0)
    private let terminated = Locked(false)

    var isTerminated: Bool { terminated.withLock { $0 } }

    func waitForDemand() { demand.wait() }

    func produceMore() { demand.signal() }

    func didTerminate() {
        terminated.withLock { $0 = true }
        demand.signal()
    }
}

/// Writes on a serial queue with blocking `write(2)`; `finish()` closes the descriptor.
private final class DescriptorWriter: SFTPByteWriter {
    private let descriptor: Int32
    private let queue: DispatchQueue
    private let closed = Locked(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
        self.queue = DispatchQueue(label: "sftp.pipe.writer.\(descriptor)")
    }

    deinit {
        if !closed.withLock({ $0 }) { close(descriptor) }
    }

    func write(_ bytes: ByteBuffer) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async { [self] in
                guard !closed.withLock({ $0 }) else {
                    continuation.resume(throwing: SFTPError(.connectionLost, "write after finish"))
                    return
                }
                let failure: Int32 = bytes.withUnsafeReadableBytes { raw in
                    guard let base = raw.baseAddress else { return 0 }
                    var offset = 0
                    while offset < raw.count {
                        let written = systemWrite(descriptor, base + offset, raw.count - offset)
                        if written < 0 {
                            if errno == EINTR { continue }
                            return errno
                        }
                        offset += written
                    }
                    return 0
                }
                if failure == 0 {
                    continuation.resume()
                } else {
                    continuation.resume(
                        throwing: SFTPError(.connectionLost, "write: \(String(cString: strerror(failure)))"))
                }
            }
        }
    }

    func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async { [self] in
                let first = closed.withLock { closed in
                    defer { closed = true }
                    return !closed
                }
                if first { close(descriptor) }
                continuation.resume()
            }
        }
    }
}

/// `write(2)`, named apart from the `write` methods in scope.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
