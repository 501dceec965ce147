import Foundation
import NIOCore
import SFTP
import Testing

/// Replies cut into small chunks, as an SSH channel hands them over (packets of 32 KiB and less): a
/// download's DATA spans many chunks and goes to the file straight from them; other replies are joined.
@Suite struct ChunkedReplyTests {
    /// Writes each batch to the other side, cut into chunks of `size` bytes (or whole when `size` is nil).
    struct Writer: SFTPByteWriter {
        let continuation: AsyncStream<ByteBuffer>.Continuation
        let size: Int?

        func write(_ bytes: ByteBuffer) async throws {
            var bytes = bytes
            while bytes.readableBytes > 0 {
                continuation.yield(bytes.readSlice(length: min(size ?? bytes.readableBytes, bytes.readableBytes))!)
            }
        }

        func finish() async { continuation.finish() }
    }

    /// 100-byte chunks make a 255 KiB DATA more pieces than one `pwritev` takes.
    @Test(arguments: [100, 1000, 4099, 32768])
    func aDownloadWhoseRepliesArriveInSmallChunksIsExact(chunkSize: Int) async throws {
        let scratch = try Scratch()
        let bytes = randomBytes(1_500_017, seed: 4)
        try scratch.write("source", bytes: bytes)
        let (clientInbound, toClient) = AsyncStream<ByteBuffer>.makeStream()
        let (serverInbound, toServer) = AsyncStream<ByteBuffer>.makeStream()
        let server = SFTPServer(fileSystem: try LocalFileSystem(root: scratch.path))
        let serverSide = SFTPByteStream(inbound: serverInbound, writer: Writer(continuation: toClient, size: chunkSize))
        Task { try? await server.run(over: serverSide) }
        let client = try await SFTPClient.connect(
            over: SFTPByteStream(inbound: clientInbound, writer: Writer(continuation: toServer, size: nil)))

        #expect(try await client.get("/source", to: scratch.sub("copy")) == UInt64(bytes.count))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: scratch.sub("copy")))) == bytes)
        let file = try await client.open("/source")
        _ = try await file.seek(1_000_000)
        let part = try await file.read(upTo: 70_000)
        #expect(Array(part.readableBytesView) == Array(bytes[1_000_000..<1_070_000]))
        try await file.close()
        await client.close()
    }
}
