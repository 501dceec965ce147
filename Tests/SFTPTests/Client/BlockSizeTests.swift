import Foundation
import NIOCore
import Testing

@testable import SFTP

/// Transfers size their blocks from `limits@openssh.com` (PROTOCOL §4.8), else 32 KiB, never over 255 KiB,
/// and keep 64 requests in flight.
@Suite struct BlockSizeTests {
    /// A server of one file of `size` bytes that records every READ and the most READs outstanding at once.
    func server(size: UInt64, limits: SFTPLimits?, reads: Locked<[UInt32]>) async throws -> FakeSFTPServer {
        let extensions = limits == nil ? [] : [SFTPExtensionPair(name: SFTPExtensionName.limits, text: "1")]
        return try await FakeSFTPServer.start(extensions: extensions) { request in
            switch request {
            case .extended(.limits): return .extendedReply(limits?.encoded() ?? ByteBuffer())
            case .open: return .handle(FakeSFTPServer.handle)
            case .fstat: return .attributes(FakeSFTPServer.file(size))
            case .read(_, let offset, let length):
                reads.withLock { $0.append(length) }
                guard offset < size else { return FakeSFTPServer.endOfFile }
                return .data(ByteBuffer(repeating: 7, count: Int(min(UInt64(length), size - offset))))
            default: return FakeSFTPServer.ok
            }
        }
    }

    @Test func withoutLimitsBlocksAre32KiB() async throws {
        let scratch = try Scratch()
        let reads = Locked<[UInt32]>([])
        let fake = try await server(size: 1 << 20, limits: nil, reads: reads)
        #expect(try await fake.client.get("/f", to: scratch.sub("f")) == 1 << 20)
        #expect(reads.withLock { $0 } == Array(repeating: 32768, count: 32))
        await fake.client.close()
    }

    @Test func limitsSetTheBlockSize() async throws {
        let scratch = try Scratch()
        let reads = Locked<[UInt32]>([])
        let limits = SFTPLimits(
            maximumPacketLength: 0, maximumReadLength: 10_000, maximumWriteLength: 10_000, maximumOpenHandles: 0)
        let fake = try await server(size: 100_000, limits: limits, reads: reads)
        #expect(fake.client.limits == limits)
        #expect(try await fake.client.get("/f", to: scratch.sub("f")) == 100_000)
        #expect(reads.withLock { $0 }.allSatisfy { $0 <= 10_000 })
        await fake.client.close()
    }

    @Test func aSmallPacketLimitShrinksBlocksAndHugeReadLimitsAreCapped() async throws {
        let scratch = try Scratch()
        let reads = Locked<[UInt32]>([])
        let limits = SFTPLimits(
            maximumPacketLength: 9_024, maximumReadLength: 1 << 30, maximumWriteLength: 1 << 30,
            maximumOpenHandles: 0)
        let fake = try await server(size: 50_000, limits: limits, reads: reads)
        #expect(try await fake.client.get("/f", to: scratch.sub("f")) == 50_000)
        #expect(reads.withLock { $0 }.allSatisfy { $0 <= 8_000 })
        #expect(fake.client.readBlockSize(SFTPTransferOptions()) == 8_000)
        var unlimited = SFTPTransferOptions()
        unlimited.blockSize = 1 << 30
        let capped = try await server(
            size: 1,
            limits: SFTPLimits(
                maximumPacketLength: 0, maximumReadLength: 1 << 30, maximumWriteLength: 0, maximumOpenHandles: 0),
            reads: reads)
        #expect(capped.client.readBlockSize(unlimited) == 255 * 1024)
        #expect(capped.client.window(SFTPTransferOptions()) == 64)
        await fake.client.close()
        await capped.client.close()
    }

    /// The server holds every READ until 64 are outstanding; a client with fewer in flight would wait forever.
    @Test(.timeLimit(.minutes(1))) func sixtyFourReadsAreInFlightAtOnce() async throws {
        let scratch = try Scratch()
        let (clientSide, serverSide) = SFTPByteStream.makePair()
        let size = 64 * 32768
        let held = Locked<[SFTPPacket]>([])
        FakeSFTPServer.serve(serverSide) { packet in
            switch packet {
            case .initialize: return [.version(version: 3, extensions: [])]
            case .request(let id, .open): return [.response(id: id, .handle(FakeSFTPServer.handle))]
            case .request(let id, .fstat): return [.response(id: id, .attributes(FakeSFTPServer.file(UInt64(size))))]
            case .request(let id, .read(_, _, let length)):
                return held.withLock { held in
                    held.append(.response(id: id, .data(ByteBuffer(repeating: 1, count: Int(length)))))
                    guard held.count == 64 else { return [] }
                    defer { held = [] }
                    return held
                }
            case .request(let id, _): return [.response(id: id, FakeSFTPServer.ok)]
            default: return []
            }
        }
        let client = try await SFTPClient.connect(over: clientSide)
        #expect(try await client.get("/f", to: scratch.sub("f")) == UInt64(size))
        await client.close()
    }
}
