import Foundation
import NIOCore
import Testing

@testable import SFTP

/// An upload keeps up to 64 WRITEs in flight, but reads its file only a little ahead of what the
/// stream takes: a stream that stops taking bytes (an SSH channel whose window is full) stops the
/// reading too, so the file is not held in memory.
@Suite struct UploadLookaheadTests {
    /// A writer that passes bytes on until the first write that starts with a WRITE request
    /// (draft-ietf-secsh-filexfer-02 §3, type 6), then holds every write until `release()`.
    final class StallingWriter: SFTPByteWriter, Sendable {
        private struct State {
            var stalled = false
            var released = false
            var held: [CheckedContinuation<Void, Never>] = []
            var heldBytes = 0
        }

        private let inner: any SFTPByteWriter
        private let state = Locked(State())

        init(_ inner: any SFTPByteWriter) { self.inner = inner }

        /// Bytes in writes that are being held.
        var heldBytes: Int { state.withLock { $0.heldBytes } }

        func release() {
            let held = state.withLock { state in
                state.stalled = false
                state.released = true
                defer { state.held = [] }
                return state.held
            }
            for continuation in held { continuation.resume() }
        }

        func write(_ bytes: ByteBuffer) async throws {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let hold = state.withLock { state in
                    if !state.released, bytes.getInteger(at: bytes.readerIndex + 4, as: UInt8.self) == 6 {
                        state.stalled = true
                    }
                    guard state.stalled else { return false }
                    state.held.append(continuation)
                    state.heldBytes += bytes.readableBytes
                    return true
                }
                if !hold { continuation.resume() }
            }
            try await inner.write(bytes)
        }

        func finish() async { await inner.finish() }
    }

    @Test(.timeLimit(.minutes(1))) func aStalledStreamStopsTheReadingAhead() async throws {
        let scratch = try Scratch()
        let size = 64 * 255 * 1024
        let local = scratch.sub("big")
        #expect(FileManager.default.createFile(atPath: local, contents: Data(repeating: 5, count: size)))
        let (clientSide, serverSide) = SFTPByteStream.makePair()
        let writes = Locked(0)
        FakeSFTPServer.serve(serverSide) { packet in
            switch packet {
            case .initialize: return [.version(version: 3, extensions: [])]
            case .request(let id, .open): return [.response(id: id, .handle(FakeSFTPServer.handle))]
            case .request(let id, .write):
                writes.withLock { $0 += 1 }
                return [.response(id: id, FakeSFTPServer.ok)]
            case .request(let id, .fstat), .request(let id, .stat), .request(let id, .lstat):
                return [.response(id: id, .attributes(FakeSFTPServer.file(UInt64(size))))]
            case .request(let id, _): return [.response(id: id, FakeSFTPServer.ok)]
            default: return []
            }
        }
        let writer = StallingWriter(clientSide.writer)
        let stream = SFTPByteStream(inbound: ChunkStream(clientSide), writer: writer)
        let client = try await SFTPClient.connect(over: stream)
        var options = SFTPTransferOptions()
        options.blockSize = 255 * 1024
        let upload = Task { try await client.put(local, to: "/big", options: options) }
        // Let the upload frame all it will while the stream takes nothing.
        var framed = 0
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(10))
            framed = client.channel.queuedBytes
        }
        // About a lookahead of 1 MiB is framed (the stalled write and what queued behind it), not the
        // 64 blocks of 16 MiB.
        #expect(writer.heldBytes > 0)
        #expect(framed <= (1 << 20) + 2 * 255 * 1024, "\(framed) bytes framed while the stream was stalled")
        #expect(writes.withLock { $0 } == 0)
        writer.release()
        #expect(try await upload.value == UInt64(size))
        #expect(writes.withLock { $0 } == 64)
        await client.close()
    }

    /// The server holds every WRITE until 64 are outstanding; an upload with fewer in flight would wait forever.
    @Test(.timeLimit(.minutes(1))) func sixtyFourWritesAreInFlightAtOnce() async throws {
        let scratch = try Scratch()
        let size = 64 * 32768
        let local = scratch.sub("f")
        #expect(FileManager.default.createFile(atPath: local, contents: Data(repeating: 9, count: size)))
        let (clientSide, serverSide) = SFTPByteStream.makePair()
        let held = Locked<[SFTPPacket]>([])
        FakeSFTPServer.serve(serverSide) { packet in
            switch packet {
            case .initialize: return [.version(version: 3, extensions: [])]
            case .request(let id, .open): return [.response(id: id, .handle(FakeSFTPServer.handle))]
            case .request(let id, .write):
                return held.withLock { held in
                    held.append(.response(id: id, FakeSFTPServer.ok))
                    guard held.count == 64 else { return [] }
                    defer { held = [] }
                    return held
                }
            case .request(let id, .fstat), .request(let id, .stat), .request(let id, .lstat):
                return [.response(id: id, .attributes(FakeSFTPServer.file(UInt64(size))))]
            case .request(let id, _): return [.response(id: id, FakeSFTPServer.ok)]
            default: return []
            }
        }
        let client = try await SFTPClient.connect(over: clientSide)
        #expect(try await client.put(local, to: "/f") == UInt64(size))
        await client.close()
    }
}

/// The inbound side of `stream` as an async sequence of its chunks.
private struct ChunkStream: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let stream: SFTPByteStream

    init(_ stream: SFTPByteStream) { self.stream = stream }

    func makeAsyncIterator() -> AsyncStream<ByteBuffer>.Iterator {
        let (chunks, continuation) = AsyncStream<ByteBuffer>.makeStream()
        let stream = self.stream
        Task {
            try? await stream.forEachInboundChunk { chunk in continuation.yield(chunk) }
            continuation.finish()
        }
        return chunks.makeAsyncIterator()
    }
}
