import Foundation
import NIOCore
import Testing

@testable import SFTP

/// A transfer under a rate cap (OpenSSH sftp's `-l`) spaces its READs and WRITEs at the rate and still
/// moves every byte.
@Suite struct BandwidthLimitTests {
    @Test func thePacerSpacesBlocksAtTheRate() {
        var pacer = SFTPPacer(SFTPBandwidthLimit(bytesPerSecond: 1000))
        let start = ContinuousClock.now
        #expect(pacer.delay(before: 500, now: start) == .zero)
        // 500 bytes at 1000 B/s: the next block goes half a second after the first.
        #expect(pacer.delay(before: 500, now: start) == .milliseconds(500))
        #expect(pacer.delay(before: 500, now: start + .milliseconds(200)) == .milliseconds(300))
        #expect(pacer.delay(before: 500, now: start + .milliseconds(500)) == .zero)
        #expect(pacer.delay(before: 500, now: start + .milliseconds(600)) == .milliseconds(400))
        // After a pause, blocks go at once until the bytes sent catch up with the rate since the start
        // (1000 sent so far; at 3 s, five more blocks bring it to 3500), then wait again.
        for _ in 0..<5 { #expect(pacer.delay(before: 500, now: start + .seconds(3)) == .zero) }
        #expect(pacer.delay(before: 500, now: start + .seconds(3)) == .milliseconds(500))
    }

    @Test func kilobitsAreOpenSSHs() {
        #expect(SFTPBandwidthLimit.kilobitsPerSecond(8).bytesPerSecond == 1024)
        #expect(SFTPBandwidthLimit.kilobitsPerSecond(100 * 1024 * 1024).bytesPerSecond == 100 * 1024 * 1024 * 128)
        #expect(SFTPBandwidthLimit.kilobitsPerSecond(.max).bytesPerSecond == .max)
        #expect(SFTPBandwidthLimit(bytesPerSecond: 0).bytesPerSecond == 1)
    }

    @Test(.timeLimit(.minutes(1))) func limitedGetAndPutMoveEveryByte() async throws {
        let scratch = try Scratch()
        let size = 256 * 1024
        let written = Locked<Int>(0)
        let fake = try await FakeSFTPServer.start { request in
            switch request {
            case .open: return .handle(FakeSFTPServer.handle)
            case .fstat: return .attributes(FakeSFTPServer.file(UInt64(size)))
            case .read(_, let offset, let length):
                guard offset < UInt64(size) else { return FakeSFTPServer.endOfFile }
                return .data(ByteBuffer(repeating: 7, count: Int(min(UInt64(length), UInt64(size) - offset))))
            case .write(_, _, let data):
                written.withLock { $0 += data.readableBytes }
                return FakeSFTPServer.ok
            default: return FakeSFTPServer.ok
            }
        }
        var options = SFTPTransferOptions()
        options.bandwidthLimit = SFTPBandwidthLimit(bytesPerSecond: 4 << 20)
        #expect(try await fake.client.get("/f", to: scratch.sub("f"), options: options) == UInt64(size))
        let got = try Data(contentsOf: URL(fileURLWithPath: scratch.sub("f")))
        #expect(got.count == size && got.allSatisfy { $0 == 7 })
        try scratch.write("up", bytes: [UInt8](repeating: 3, count: size))
        #expect(try await fake.client.put(scratch.sub("up"), to: "/up", options: options) == UInt64(size))
        #expect(written.withLock { $0 } == size)
        await fake.client.close()
    }
}
