import Foundation
import SFTP
import SSHTestSupport
import Testing

/// ``SFTPTransferOptions/treeEvents``: a recursive transfer names each directory as it enters it, root
/// first, and each entry it leaves out.
@Suite struct TreeEventTests {
    /// The events a transfer reported, in order.
    final class EventLog: @unchecked Sendable {
        private let lock = NSLock()
        private var events: [SFTPTreeEvent] = []

        func record(_ event: SFTPTreeEvent) { lock.withLock { events.append(event) } }

        var all: [SFTPTreeEvent] { lock.withLock { events } }
    }

    @Test(arguments: ServerKind.available)
    func recursiveTransfersReportDirectoriesAndSkippedEntries(kind: ServerKind) async throws {
        let scratch = try Scratch()
        try scratch.mkdir("source/sub/deep")
        try scratch.write("source/top.txt", "top")
        try scratch.write("source/sub/deep/f.txt", "deep")
        try FileManager.default.createSymbolicLink(atPath: scratch.sub("source/link"), withDestinationPath: "top.txt")
        let server = try await ServerUnderTest.start(kind, serving: scratch.path)
        let client = server.client

        let up = EventLog()
        var options = SFTPTransferOptions()
        options.symbolicLinks = .skip
        options.treeEvents = { up.record($0) }
        let uploaded = try await client.putDirectory(
            scratch.sub("source"), to: server.remote("remote"), options: options)
        #expect(uploaded.skipped == 1 && uploaded.files == 2)
        let source = scratch.sub("source")
        #expect(
            up.all == [
                .enteringDirectory(source), .skipped(source + "/link"), .enteringDirectory(source + "/sub"),
                .enteringDirectory(source + "/sub/deep"),
            ])

        // A link made on the server side is left out of the download and reported.
        try FileManager.default.createSymbolicLink(
            atPath: scratch.sub("remote/sub/back"), withDestinationPath: "../top.txt")
        let down = EventLog()
        options.treeEvents = { down.record($0) }
        let remote = server.remote("remote")
        let downloaded = try await client.getDirectory(remote, to: scratch.sub("copy"), options: options)
        #expect(downloaded.skipped == 1 && downloaded.files == 2)
        let entered = down.all.compactMap { event -> String? in
            if case .enteringDirectory(let path) = event { return path }
            return nil
        }
        #expect(entered == [remote, remote + "/sub", remote + "/sub/deep"])
        #expect(down.all.contains(.skipped(remote + "/sub/back")))
        #expect(try scratch.read("copy/sub/deep/f.txt") == "deep")
        #expect(!scratch.exists("copy/sub/back") && !scratch.exists("copy/link"))
        await server.stop()
    }
}
