import Foundation
import NIOCore
import SSHTestSupport
import Testing

@testable import SFTP

/// A hostile server's READDIR names (`/`, `..`, NUL, duplicates) stop a recursive download before anything
/// is written outside the destination; a server that fails or lies during an upload is never reported as
/// having taken the file.
@Suite struct HostileServerTests {
    /// A server whose directory `/tree` lists `names` (each a small file, or a directory named "sub"), and
    /// whose every other directory is empty.
    func hostileTree(_ names: [String]) async throws -> FakeSFTPServer {
        let served = Locked(false)
        return try await FakeSFTPServer.start { request in
            switch request {
            case .realpath(let path): return .name([SFTPNameEntry(filename: path)])
            case .stat, .lstat: return .attributes(FakeSFTPServer.directory)
            case .opendir(let path):
                return .handle(SFTPHandle(bytes: ByteBuffer(string: path == "/tree" ? "T" : "E"))!)
            case .readdir(let handle):
                let first = served.withLock { served in
                    defer { served = true }
                    return !served
                }
                guard handle.bytes == ByteBuffer(string: "T"), first else { return FakeSFTPServer.endOfFile }
                return .name(
                    names.map {
                        SFTPNameEntry(filename: $0, attributes: FakeSFTPServer.file(5))
                    })
            case .open: return .handle(FakeSFTPServer.handle)
            case .fstat: return .attributes(FakeSFTPServer.file(5))
            case .read(_, let offset, _):
                return offset == 0 ? .data(ByteBuffer(string: "evil!")) : FakeSFTPServer.endOfFile
            default: return FakeSFTPServer.ok
            }
        }
    }

    @Test(arguments: ["../escaped", "a/b", "/etc/escaped", "x\0y", "", "sub/../../escaped"])
    func unsafeNamesStopTheDownload(name: String) async throws {
        let scratch = try Scratch()
        try scratch.mkdir("destination")
        let server = try await hostileTree(["fine", name])
        let error = await #expect(throws: SFTPError.self) {
            try await server.client.getDirectory("/tree", to: scratch.sub("destination/inside"))
        }
        #expect(error?.code == .unsafeName)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).sorted() == ["destination"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("destination")) == ["inside"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.sub("destination/inside")) == [])
        #expect(!scratch.exists("escaped") && !scratch.exists("destination/escaped"))
        await server.client.close()
    }

    @Test func aNameListedTwiceStopsTheDownload() async throws {
        let scratch = try Scratch()
        let server = try await hostileTree(["twice", "twice"])
        let error = await #expect(throws: SFTPError.self) {
            try await server.client.getDirectory("/tree", to: scratch.sub("destination"))
        }
        #expect(error?.code == .unsafeName)
        await server.client.close()
    }

    @Test func dotsAreSkippedAndSafeNamesArrive() async throws {
        let scratch = try Scratch()
        let server = try await hostileTree([".", "..", "one", "two"])
        let summary = try await server.client.getDirectory("/tree", to: scratch.sub("destination"))
        #expect(summary.files == 2)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.sub("destination")).sorted() == ["one", "two"])
        #expect(try scratch.read("destination/one") == "evil!")
        await server.client.close()
    }

    @Test func singleComponentCheck() {
        for name in ["a", "a.b", "..a", "a..", " ", "ü"] { #expect(SFTPClient.isSinglePathComponent(name)) }
        for name in ["", ".", "..", "a/b", "/", "a\0", "../a"] { #expect(!SFTPClient.isSinglePathComponent(name)) }
    }

    /// A server accepting OPEN and answering WRITE number `failing` (counted from 1) with FAILURE.
    func failingWriteServer(failing: Int, reportedSize: UInt64? = nil, closeFails: Bool = false) async throws
        -> FakeSFTPServer
    {
        let writes = Locked(0)
        let written = Locked<UInt64>(0)
        return try await FakeSFTPServer.start { request in
            switch request {
            case .open: return .handle(FakeSFTPServer.handle)
            case .write(_, _, let data):
                let count = writes.withLock { count in
                    count += 1
                    return count
                }
                if count == failing { return .status(SFTPStatus(code: .failure, message: "No space left on device")) }
                written.withLock { $0 += UInt64(data.readableBytes) }
                return FakeSFTPServer.ok
            case .fstat: return .attributes(FakeSFTPServer.file(reportedSize ?? written.withLock { $0 }))
            case .close:
                return closeFails ? .status(SFTPStatus(code: .failure, message: "close failed")) : FakeSFTPServer.ok
            default: return FakeSFTPServer.ok
            }
        }
    }

    @Test func aFailedWriteFailsTheUpload() async throws {
        let scratch = try Scratch()
        try scratch.write("big", bytes: randomBytes(1 << 20, seed: 5))
        let server = try await failingWriteServer(failing: 3)
        let log = ProgressLog()
        let error = await #expect(throws: SFTPError.self) {
            try await server.client.put(
                scratch.sub("big"), to: "/big", options: SFTPTransferOptions(progress: { log.add($0) }))
        }
        #expect(error?.code == .failure)
        #expect(error?.detail.contains("No space left on device") == true)
        #expect((log.last?.bytesTransferred ?? 0) < 1 << 20)
        await server.client.close()
    }

    @Test func aShortRemoteFileFailsTheUpload() async throws {
        let scratch = try Scratch()
        try scratch.write("small", bytes: randomBytes(100_000, seed: 6))
        let server = try await failingWriteServer(failing: 0, reportedSize: 99_999)
        let error = await #expect(throws: SFTPError.self) {
            try await server.client.put(scratch.sub("small"), to: "/s")
        }
        #expect(error?.code == .sizeMismatch)
        await server.client.close()
    }

    @Test func aLocalFileThatShrinksFailsTheUpload() async throws {
        let scratch = try Scratch()
        try scratch.write("shrinking", bytes: randomBytes(600_000, seed: 7))
        let path = scratch.sub("shrinking")
        let writes = Locked<[UInt64]>([])
        // The local file is cut short once the upload has measured it and opened the remote file.
        let server = try await FakeSFTPServer.start { request in
            switch request {
            case .open:
                _ = truncate(path, 100_000)
                return .handle(FakeSFTPServer.handle)
            case .write(_, let offset, _):
                writes.withLock { $0.append(offset) }
                return FakeSFTPServer.ok
            default: return FakeSFTPServer.ok
            }
        }
        var options = SFTPTransferOptions()
        options.blockSize = 32 * 1024
        let error = await #expect(throws: SFTPError.self) { try await server.client.put(path, to: "/s", options: options) }
        #expect(error?.code == .sizeMismatch)
        #expect(error?.detail.contains("shrank") == true)
        // No block past the end the file shrank to was sent.
        #expect(writes.withLock { $0 }.allSatisfy { $0 < 100_000 })
        await server.client.close()
    }

    @Test func aFailedCloseFailsTheUpload() async throws {
        let scratch = try Scratch()
        try scratch.write("small", "data")
        let server = try await failingWriteServer(failing: 0, closeFails: true)
        await #expect(throws: SFTPError.self) { try await server.client.put(scratch.sub("small"), to: "/s") }
        await #expect(throws: SFTPError.self) {
            try await server.client.put(from: [ByteBuffer(string: "data")].async, to: "/s")
        }
        await server.client.close()
    }

    @Test func aDownloadShorterThanAnnouncedFails() async throws {
        let scratch = try Scratch()
        let server = try await FakeSFTPServer.start { request in
            switch request {
            case .open: return .handle(FakeSFTPServer.handle)
            case .fstat: return .attributes(FakeSFTPServer.file(100_000))
            case .read(_, let offset, let length):
                return offset < 50_000
                    ? .data(ByteBuffer(repeating: 1, count: Int(min(UInt64(length), 50_000 - offset))))
                    : FakeSFTPServer.endOfFile
            default: return FakeSFTPServer.ok
            }
        }
        let error = await #expect(throws: SFTPError.self) { try await server.client.get("/f", to: scratch.sub("f")) }
        #expect(error?.code == .sizeMismatch)
        await server.client.close()
    }

    @Test func answersToUnknownRequestsEndTheSession() async throws {
        let server = try await FakeSFTPServer.start(answerID: { _ in 999_999 }, respond: { _ in FakeSFTPServer.ok })
        let error = await #expect(throws: SFTPError.self) { _ = try await server.client.stat("/") }
        #expect(error?.code == .badMessage)
        await server.client.close()
    }
}
