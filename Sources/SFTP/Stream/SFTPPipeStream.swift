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
/// A thread of the stream's own reads up to ``chunkSize`` bytes per `read(2)`: ahead of an async consumer
/// with back-pressure (`NIOThrowingAsyncSequenceProducer`, at most ``readAheadChunks`` chunks waiting), or
/// straight into ``SFTPClient``'s response dispatch. Writes are blocking `write(2)`s on the outbox's own
/// thread. Blocking calls never run on Swift's cooperative pool, and a transfer costs no task switch per
/// block. On Linux pipes are enlarged to ``pipeSize``. The stream owns the descriptors and closes them: the
/// write side at ``SFTPByteWriter/finish()``, the read side at EOF. SIGPIPE is ignored process-wide, as
/// SwiftNIO does, so that a vanished peer is an `EPIPE`, not a signal.
public enum SFTPPipeStream {
    /// The most bytes one `read(2)` asks for: a whole frame and a bit.
    public static let chunkSize = 256 * 1024 + 1024
    /// The pipe buffer asked for on Linux: room for four whole frames.
    public static let pipeSize: Int32 = 1 << 20
    /// The buffer a synchronous consumer's reads go into: many frames, so that moving a partial frame to its
    /// front is rare.
    public static let pushBufferSize = 4 << 20
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
        let reader = DescriptorReader(descriptor: input)
        return SFTPByteStream(
            writer: DescriptorWriter(descriptor: writeDescriptor),
            consume: { isolation, body in try await reader.consume(isolation: isolation, body) },
            pushInbound: { consumer in reader.push(consumer) })
    }

    /// A stream over this process's standard input and output, for serving SFTP the way OpenSSH's
    /// `sftp-server` does.
    public static func standardInputOutput() -> SFTPByteStream {
        make(readingFrom: dup(STDIN_FILENO), writingTo: dup(STDOUT_FILENO))
    }

}

/// Reads a descriptor on a thread of its own, once, in one of two ways: ahead of an async consumer with
/// back-pressure, or straight into a synchronous handler (the client's response dispatch), which then runs
/// on the reader thread with no task switch at all.
private final class DescriptorReader: Sendable {
    private typealias Source = NIOThrowingAsyncSequenceProducer<
        ByteBuffer, any Error, NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark, ReaderControl
    >.Source

    private let descriptor: Int32
    private let claimed = Locked(false)

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        if !claimed.withLock({ $0 }) { close(descriptor) }
    }

    private func claim() throws(SFTPError) {
        let first = claimed.withLock { claimed in
            defer { claimed = true }
            return !claimed
        }
        guard first else { throw SFTPError(.invalidArgument, "the inbound stream can be read only once") }
    }

    /// Feeds chunks to an async consumer; at most ``SFTPPipeStream/readAheadChunks`` wait for it.
    func consume(isolation: isolated (any Actor)? = #isolation, _ body: (ByteBuffer) async throws -> Void) async throws {
        try claim()
        let control = ReaderControl()
        let chunks = SFTPPipeStream.readAheadChunks
        let made = NIOThrowingAsyncSequenceProducer.makeSequence(
            elementType: ByteBuffer.self,
            backPressureStrategy: NIOAsyncSequenceProducerBackPressureStrategies.HighLowWatermark(
                lowWatermark: chunks / 4, highWatermark: chunks),
            finishOnDeinit: false,
            delegate: control)
        let source = made.source
        let descriptor = self.descriptor
        DispatchQueue(label: "sftp.pipe.reader.\(descriptor)").async {
            Self.readLoop(descriptor) { result in
                switch result {
                case .success(let chunk?):
                    switch source.yield(chunk) {
                    case .produceMore: return true
                    case .stopProducing:
                        control.waitForDemand()
                        return !control.isTerminated
                    case .dropped: return false
                    }
                case .success(nil):
                    source.finish()
                    return false
                case .failure(let error):
                    source.finish(error)
                    return false
                }
            }
        }
        var iterator = made.sequence.makeAsyncIterator()
        while let chunk = try await iterator.next(isolation: isolation) { try await body(chunk) }
    }

    /// Reads into one buffer of ``SFTPPipeStream/pushBufferSize`` bytes, reused from read to read, and hands
    /// it to `consumer` on the reader thread: no chunk is allocated or copied on its way to the framer.
    func push(_ consumer: InboundPush) {
        do throws(SFTPError) {
            try claim()
        } catch {
            consumer.end(error)
            return
        }
        let descriptor = self.descriptor
        DispatchQueue(label: "sftp.pipe.reader.\(descriptor)").async {
            defer { close(descriptor) }
            let chunkSize = SFTPPipeStream.chunkSize
            var buffer = ByteBufferAllocator().buffer(capacity: SFTPPipeStream.pushBufferSize)
            while true {
                if buffer.readableBytes == 0 {
                    buffer.clear()
                } else if buffer.writableBytes < chunkSize {
                    buffer.discardReadBytes()
                }
                var failure: Int32 = 0
                let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: chunkSize) { bytes in
                    let result = read(descriptor, bytes.baseAddress, bytes.count)
                    if result < 0 { failure = errno }
                    return max(result, 0)
                }
                if count > 0 {
                    guard consumer.bytes(&buffer) else { return }
                } else if failure == EINTR {
                    continue
                } else {
                    consumer.end(
                        failure == 0 ? nil : SFTPError(.connectionLost, "read: \(String(cString: strerror(failure)))"))
                    return
                }
            }
        }
    }

    /// Reads until EOF, an error, or `deliver` returning false; then closes the descriptor.
    private static func readLoop(
        _ descriptor: Int32, deliver: (Result<ByteBuffer?, SFTPError>) -> Bool
    ) {
        defer { close(descriptor) }
        let allocator = ByteBufferAllocator()
        while true {
            var chunk = allocator.buffer(capacity: SFTPPipeStream.chunkSize)
            var failure: Int32 = 0
            let count = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: SFTPPipeStream.chunkSize) { bytes in
                let result = read(descriptor, bytes.baseAddress, bytes.count)
                if result < 0 { failure = errno }
                return max(result, 0)
            }
            if count > 0 {
                guard deliver(.success(chunk)) else { return }
            } else if failure == EINTR {
                continue
            } else if failure != 0 {
                _ = deliver(.failure(SFTPError(.connectionLost, "read: \(String(cString: strerror(failure)))")))
                return
            } else {
                _ = deliver(.success(nil))
                return
            }
        }
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

/// Writes on a serial queue with blocking `write(2)`; `finish()` closes the descriptor. An outbox writes
/// through ``write(blocking:)`` on a thread of its own instead, with no task switch per write.
private final class DescriptorWriter: SFTPByteWriter, BlockingByteWriter {
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
                do throws(SFTPError) {
                    try write(blocking: bytes)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func write(blocking bytes: ByteBuffer) throws(SFTPError) {
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
        if failure != 0 { throw SFTPError(.connectionLost, "write: \(String(cString: strerror(failure)))") }
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
