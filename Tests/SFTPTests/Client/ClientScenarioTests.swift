import Foundation
import NIOCore
import SFTP
import SSHTestSupport
import Testing

/// Our client against OpenSSH's sftp-server spawned over pipes, against our server spawned the same way
/// (`paramiko sftp-server`) and against our server in memory: every operation, extension and transfer.
@Suite struct ClientScenarioTests {
    @Test(arguments: ServerKind.available)
    func everyOperation(kind: ServerKind) async throws {
        let scratch = try Scratch()
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client

        // Working directory.
        #expect(client.getcwd() == nil)
        let home = try await client.realpath(".")
        #expect(home == server.base)
        try await client.chdir(server.base)
        #expect(client.getcwd() == server.base)
        #expect(client.absolutePath("x") == server.remote("x"))

        // Directories and permissions.
        try await client.mkdir("d", mode: 0o750)
        #expect(try await client.stat("d").isDirectory)
        try await client.chmod("d", mode: 0o700)
        #expect(try await client.stat("d").permissions.map { $0 & 0o777 } == 0o700)
        try await client.chdir("d")
        #expect(client.getcwd() == server.remote("d"))
        try await client.chdir("..")
        #expect(client.getcwd() == server.base)

        // A file written and read through SFTPFile.
        let file = try await client.open("f", mode: "w")
        try await file.write("hello\nworld\nlast")
        try await file.close()
        #expect(try scratch.read("f") == "hello\nworld\nlast")
        #expect(try await client.stat("f").size == 16)
        let reader = try await client.open("f")
        #expect(try await reader.readLine() == "hello")
        #expect(try await reader.readLine(strippingNewline: false) == "world\n")
        #expect(try await reader.readLine() == "last")
        #expect(try await reader.readLine() == nil)
        try await reader.seek(6)
        #expect(String(buffer: try await reader.read(upTo: 5)) == "world")
        #expect(await reader.tell() == 11)
        try await reader.seek(-4, from: .end)
        #expect(String(buffer: try await reader.readAll()) == "last")
        #expect(try await reader.stat().size == 16)
        try await reader.close()

        // Appending, truncating, times and owner.
        let appender = try await client.open("f", mode: "a")
        try await appender.write("!")
        try await appender.fsync()
        try await appender.close()
        #expect(try scratch.read("f") == "hello\nworld\nlast!")
        try await client.truncate("f", size: 5)
        #expect(try scratch.read("f") == "hello")
        try await client.utime("f", accessTime: 1_000_000_000, modificationTime: 1_234_567_890)
        let times = try await client.stat("f")
        #expect(times.modificationTime == 1_234_567_890 && times.accessTime == 1_000_000_000)
        try await client.chown("f", uid: getuid(), gid: getgid())
        #expect(try await client.stat("f").uid == getuid())
        let updated = try await client.open("f", mode: "r+")
        try await updated.chmod(0o640)
        try await updated.truncate(3)
        #expect(try await updated.stat().size == 3)
        try await updated.utime(accessTime: 5, modificationTime: 6)
        try await updated.close()
        #expect(localModeAndTime(scratch.sub("f")) == (0o640, 6))

        // Renames.
        try await client.rename("f", to: "g")
        #expect(!scratch.exists("f") && scratch.exists("g"))
        try scratch.write("other", "other")
        await #expect(throws: SFTPError.self) { try await client.rename("other", to: "g") }
        try await client.posixRename("other", to: "g")
        #expect(try scratch.read("g") == "other")

        // Links: the symlink arguments go target first to OpenSSH.
        try await client.symlink(target: "g", linkPath: "l")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.sub("l")) == "g")
        #expect(try await client.readlink("l") == "g")
        #expect(try await client.lstat("l").isSymbolicLink)
        #expect(try await client.stat("l").isRegularFile)
        try await client.lsetstat("l", SFTPAttributes(accessTime: 7, modificationTime: 8))
        #expect(localModeAndTime(scratch.sub("l")).mtime == 8)
        try await client.hardlink("g", to: "h")
        #expect(try scratch.read("h") == "other")
        #expect(try await client.realpath("l") == server.remote("g"))

        // Extensions.
        let stats = try await client.statvfs(".")
        #expect(stats.blockSize > 0 && stats.blocks > 0)
        let handle = try await client.openHandle("g", flags: .read)
        #expect(try await client.fstatvfs(handle).maximumNameLength > 0)
        #expect(try await client.fstat(handle).size == 5)
        let copyTarget = try await client.openHandle("copy", flags: [.write, .create, .truncate])
        try await client.copyData(from: handle, to: copyTarget)
        try await client.fsync(copyTarget)
        try await client.closeHandle(copyTarget)
        try await client.closeHandle(handle)
        #expect(try scratch.read("copy") == "other")
        if kind == .openSSH {
            #expect(try await client.expandPath("~root") == "/root")
            #expect(try await client.homeDirectory(of: "root") == "/root")
        } else {
            #expect(try await client.expandPath("~") == "/")
            #expect(try await client.expandPath("~/g") == "/g")
            #expect(try await client.homeDirectory() == "/")
            await #expect(throws: SFTPError.self) { try await client.expandPath("~nobody") }
        }
        let names = try await client.names(uids: [0], gids: [0])
        #expect(names.userNames == ["root"] && names.groupNames == ["root"])
        #expect(client.limits?.maximumWriteLength == 261_120)

        // Listing, removal and errors.
        #expect(try await client.listNames().sorted() == ["copy", "d", "g", "h", "l"])
        var streamed: [String] = []
        for try await entry in client.directoryEntries() { streamed.append(entry.filename) }
        #expect(streamed.sorted() == ["copy", "d", "g", "h", "l"])
        let handleOfDirectory = try await client.openDirectoryHandle(".")
        let firstBatch = try await client.readDirectory(handleOfDirectory) ?? []
        #expect(Set(firstBatch.map(\.filename)).isSuperset(of: [".", ".."]))
        try await client.closeHandle(handleOfDirectory)
        try await client.remove("h")
        try await client.rmdir("d")
        #expect(!scratch.exists("h") && !scratch.exists("d"))
        let missing = await #expect(throws: SFTPError.self) { try await client.stat("missing") }
        #expect(missing?.code == .noSuchFile)
        try scratch.mkdir("full/inside")
        let notEmpty = await #expect(throws: SFTPError.self) { try await client.rmdir("full") }
        #expect(notEmpty?.code == .failure)
        let exclusive = await #expect(throws: SFTPError.self) { try await client.open("g", mode: "x") }
        #expect(exclusive?.code == .failure)
        await server.stop()
        await #expect(throws: SFTPError.self) { try await client.stat(".") }
    }

    @Test(arguments: ServerKind.available)
    func theDraftsSymlinkOrderIsReversedByOpenSSH(kind: ServerKind) async throws {
        let scratch = try Scratch()
        var options = SFTPClientOptions()
        options.symlinkOrder = .linkFirst
        let server = try await ServerUnderTest.start(kind, serving: scratch.path, options: options)
        let client = server.client
        try await client.chdir(server.base)
        // Sent as the draft words it, OpenSSH (and we, as OpenSSH does) read the link path as the target.
        try await client.symlink(target: "target", linkPath: "link")
        #expect(scratch.exists("target"))
        #expect(!scratch.exists("link"))
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: scratch.sub("target")) == server.remote("link"))
        await server.stop()
    }

    @Test(arguments: ServerKind.available)
    func recursiveTransfersKeepATreeWithLinks(kind: ServerKind) async throws {
        let scratch = try Scratch()
        try scratch.mkdir("source/a/b/c")
        try scratch.mkdir("source/empty")
        try scratch.write("source/top.txt", "top")
        try scratch.write("source/a/one.bin", bytes: randomBytes(300_000, seed: 1))
        try scratch.write("source/a/b/c/deep.txt", "deep")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("source/link-to-file"), withDestinationPath: "top.txt")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("source/a/link-to-dir"), withDestinationPath: "b")
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("source/dangling"), withDestinationPath: "nowhere")
        chmod(scratch.sub("source/top.txt"), 0o600)
        var times = [timespec(tv_sec: 1_500_000_000, tv_nsec: 0), timespec(tv_sec: 1_600_000_000, tv_nsec: 0)]
        utimensat(AT_FDCWD, scratch.sub("source/top.txt"), &times, 0)

        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client
        var options = SFTPTransferOptions()
        options.preserveAttributes = true
        let up = try await client.putDirectory(scratch.sub("source"), to: server.remote("remote"), options: options)
        #expect(up.files == 3 && up.symbolicLinks == 3 && up.directories == 5)
        let down = try await client.getDirectory(server.remote("remote"), to: scratch.sub("back"), options: options)
        #expect(down.files == 3 && down.symbolicLinks == 3 && down.bytes == 300_007)
        let expected = try treeListing(scratch.sub("source"))
        #expect(try treeListing(scratch.sub("remote")) == expected)
        #expect(try treeListing(scratch.sub("back")) == expected)
        #expect(localModeAndTime(scratch.sub("back/top.txt")) == (0o600, 1_600_000_000))

        var following = SFTPTransferOptions()
        following.symbolicLinks = .follow
        try FileManager.default.removeItem(atPath: scratch.sub("remote/dangling"))
        let followed = try await client.getDirectory(
            server.remote("remote"), to: scratch.sub("followed"), options: following)
        #expect(followed.symbolicLinks == 0 && followed.files == 4 + 1)
        #expect(try scratch.read("followed/a/link-to-dir/c/deep.txt") == "deep")
        await server.stop()
    }

    @Test(arguments: ServerKind.available)
    func sixtyFourMebibytesUpAndDownKeepTheirDigest(kind: ServerKind) async throws {
        let scratch = try Scratch()
        let size = 64 << 20
        try scratch.write("original", bytes: randomBytes(size, seed: 64))
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client
        let reports = ProgressLog()
        var options = SFTPTransferOptions(progress: { reports.add($0) })
        #expect(
            try await client.put(scratch.sub("original"), to: server.remote("uploaded"), options: options)
                == UInt64(size))
        #expect(reports.last?.bytesTransferred == UInt64(size) && reports.last?.totalBytes == UInt64(size))
        options.progress = nil
        #expect(
            try await client.get(server.remote("uploaded"), to: scratch.sub("downloaded"), options: options)
                == UInt64(size))
        let digest = try sha256Hex(ofFile: scratch.sub("original"))
        #expect(try sha256Hex(ofFile: scratch.sub("uploaded")) == digest)
        #expect(try sha256Hex(ofFile: scratch.sub("downloaded")) == digest)
        await server.stop()
    }

    @Test(arguments: ServerKind.available)
    func resumedTransfersFinishPartialFiles(kind: ServerKind) async throws {
        let scratch = try Scratch()
        let bytes = randomBytes(1 << 20, seed: 3)
        try scratch.write("whole", bytes: bytes)
        try scratch.write("half-local", bytes: Array(bytes[..<400_000]))
        try scratch.write("half-remote", bytes: Array(bytes[..<300_001]))
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client
        let resume = SFTPTransferOptions(resume: true)
        #expect(try await client.get(server.remote("whole"), to: scratch.sub("half-local"), options: resume) == 1 << 20)
        #expect(
            try await client.put(scratch.sub("whole"), to: server.remote("half-remote"), options: resume) == 1 << 20)
        let digest = try sha256Hex(ofFile: scratch.sub("whole"))
        #expect(try sha256Hex(ofFile: scratch.sub("half-local")) == digest)
        #expect(try sha256Hex(ofFile: scratch.sub("half-remote")) == digest)
        await server.stop()
    }

    @Test(arguments: ServerKind.available)
    func streamsInAndOut(kind: ServerKind) async throws {
        let scratch = try Scratch()
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client
        let bytes = randomBytes(1_000_003 + 5, seed: 9)
        let chunks = stride(from: 0, to: bytes.count, by: 77_777).map {
            ByteBuffer(bytes: bytes[$0..<min($0 + 77_777, bytes.count)])
        }
        let written = try await client.put(from: chunks.async, to: server.remote("streamed"))
        #expect(written == UInt64(bytes.count))
        #expect(try Array(Data(contentsOf: URL(fileURLWithPath: scratch.sub("streamed")))) == bytes)
        var received: [UInt8] = []
        var options = SFTPTransferOptions()
        options.blockSize = 10_000
        try await client.get(server.remote("streamed"), into: { received += $0.readableBytesView }, options: options)
        #expect(received == bytes)
        await server.stop()
    }

    @Test(arguments: ServerKind.available)
    func tenThousandFilesAreListed(kind: ServerKind) async throws {
        let scratch = try Scratch()
        try scratch.mkdir("many")
        for index in 0..<10_000 {
            let fd = open(scratch.sub("many/file-\(index)"), O_WRONLY | O_CREAT, 0o644)
            close(fd)
        }
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client
        let names = try await client.listNames(server.remote("many"))
        #expect(names.count == 10_000)
        #expect(Set(names) == Set((0..<10_000).map { "file-\($0)" }))
        var streamed = 0
        for try await entry in client.directoryEntries(server.remote("many")) where entry.attributes.isRegularFile {
            streamed += 1
        }
        #expect(streamed == 10_000)
        await server.stop()
    }
}

/// Progress reports collected from the reader.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [SFTPTransferProgress] = []
    func add(_ report: SFTPTransferProgress) { lock.withLock { reports.append(report) } }
    var last: SFTPTransferProgress? { lock.withLock { reports.last } }
    var count: Int { lock.withLock { reports.count } }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
