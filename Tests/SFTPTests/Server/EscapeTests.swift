import Foundation
import NIOCore
import SSHTestSupport
import Testing

@testable import SFTP

/// Paths that try to leave LocalFileSystem's root: `../`, absolute paths, links pointing out, links
/// swapped in during an operation. None reaches the "outside" directory next to the root.
@Suite struct EscapeTests {
    struct Setup {
        let scratch: Scratch
        let fileSystem: LocalFileSystem
        let client: SFTPClient
        var root: String { scratch.sub("root") }
        var outside: String { scratch.sub("outside") }

        func outsideListing() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: outside).sorted()
        }

        func secretIntact() throws -> Bool {
            try scratch.read("outside/secret") == "secret"
                && localModeAndTime(scratch.sub("outside/secret")).mode == 0o600
        }
    }

    func setUp() async throws -> Setup {
        let scratch = try Scratch("escape")
        try scratch.mkdir("root/deep/dir")
        try scratch.mkdir("outside")
        try scratch.write("outside/secret", "secret")
        chmod(scratch.sub("outside/secret"), 0o600)
        try scratch.write("root/inside.txt", "inside")
        let links = [
            ("root/out-abs", scratch.sub("outside")), ("root/out-rel", "../outside"),
            ("root/secret-link", scratch.sub("outside/secret")), ("root/deep/dir/up", "../../../outside"),
            ("root/abs-inside", scratch.sub("root/inside.txt")),
        ]
        for (link, target) in links {
            try FileManager.default.createSymbolicLink(atPath: scratch.sub(link), withDestinationPath: target)
        }
        let fileSystem = try LocalFileSystem(root: scratch.sub("root"))
        let (clientSide, serverSide) = SFTPByteStream.makePair()
        let server = SFTPServer(fileSystem: fileSystem)
        Task { try? await server.run(over: serverSide) }
        return Setup(scratch: scratch, fileSystem: fileSystem, client: try await SFTPClient.connect(over: clientSide))
    }

    @Test func dotDotAndAbsolutePathsStayInside() async throws {
        let setup = try await setUp()
        let client = setup.client
        for path in [
            "../outside/secret", "/../outside/secret", "../../../../outside/secret", setup.outside + "/secret",
        ] {
            #expect(await sftpErrorCode { _ = try await client.stat(path) } == .noSuchFile, "\(path)")
            #expect(await sftpErrorCode { _ = try await client.open(path) } == .noSuchFile, "\(path)")
        }
        #expect(try await client.realpath("../../..") == "/")
        #expect(try await client.realpath("/deep/../..") == "/")
        #expect(try await client.listNames("..").sorted() == client.listNames("/").sorted())
        #expect(await sftpErrorCode { try await client.rename("inside.txt", to: "../outside/stolen") } == .noSuchFile)
        #expect(await sftpErrorCode { try await client.hardlink("../outside/secret", to: "h") } == .noSuchFile)
        #expect(await sftpErrorCode { try await client.mkdir("../outside/made") } == .noSuchFile)
        #expect(try setup.outsideListing() == ["secret"])
        #expect(try setup.secretIntact())
        await client.close()
    }

    @Test func linksPointingOutAreResolvedInsideTheRoot() async throws {
        let setup = try await setUp()
        let client = setup.client
        for path in ["out-abs/secret", "out-rel/secret", "secret-link", "deep/dir/up/secret"] {
            #expect(await sftpErrorCode { _ = try await client.stat(path) } == .noSuchFile, "\(path)")
            #expect(await sftpErrorCode { _ = try await client.open(path) } == .noSuchFile, "\(path)")
            #expect(await sftpErrorCode { try await client.chmod(path, mode: 0o777) } == .noSuchFile, "\(path)")
        }
        #expect(await sftpErrorCode { _ = try await client.open("out-rel/new", mode: "w") } == .noSuchFile)
        try setup.scratch.write("local", "overwritten")
        #expect(
            await sftpErrorCode { try await client.put(setup.scratch.sub("local"), to: "secret-link") } == .noSuchFile)
        #expect(
            await sftpErrorCode { try await client.put(setup.scratch.sub("local"), to: "out-abs/secret") }
                == .noSuchFile)
        // Links read back in the client's view: a target under the root's real path becomes a root path.
        #expect(try await client.readlink("out-rel") == "../outside")
        #expect(try await client.readlink("abs-inside") == "/inside.txt")
        #expect(try await client.realpath("abs-inside") == "/inside.txt")
        #expect(try await client.realpath("out-rel") == "/outside")
        #expect(String(buffer: try await client.open("abs-inside").readAll()) == "inside")
        // A link the client makes to the outside leads nowhere either.
        try await client.symlink(target: setup.outside + "/secret", linkPath: "mine")
        try await client.symlink(target: "../../outside/secret", linkPath: "deep/mine")
        #expect(await sftpErrorCode { _ = try await client.open("mine") } == .noSuchFile)
        #expect(await sftpErrorCode { _ = try await client.open("deep/mine", mode: "w") } == .noSuchFile)
        #expect(
            await sftpErrorCode { try await client.getDirectory("out-abs", to: setup.scratch.sub("copy")) }
                == .noSuchFile)
        #expect(try setup.outsideListing() == ["secret"])
        #expect(try setup.secretIntact())
        await client.close()
    }

    @Test func aFinalComponentSwappedForALinkIsNotFollowed() async throws {
        let setup = try await setUp()
        let client = setup.client
        try setup.scratch.mkdir("root/dir")
        try setup.scratch.write("root/dir/file", "file")
        let swapper = Swapper(setup.scratch.sub("root/dir/file"), link: setup.scratch.sub("outside/secret"))
        setup.fileSystem.raceHook.withLock { $0 = { path in if path == "/dir/file" { swapper.swap() } } }
        #expect(await sftpErrorCode { _ = try await client.open("dir/file") } == .noSuchFile)
        swapper.restore()
        #expect(await sftpErrorCode { _ = try await client.open("dir/file", mode: "w") } == .noSuchFile)
        swapper.restore()
        #expect(await sftpErrorCode { try await client.chmod("dir/file", mode: 0o666) } != nil)
        swapper.restore()
        #expect(await sftpErrorCode { try await client.truncate("dir/file", size: 0) } == .noSuchFile)
        swapper.restore()
        #expect(
            await sftpErrorCode { try await client.put(setup.scratch.sub("root/inside.txt"), to: "/dir/file") }
                == .noSuchFile)
        #expect(try setup.secretIntact())
        #expect(try setup.outsideListing() == ["secret"])
        await client.close()
    }

    @Test func aDirectorySwappedForALinkKeepsTheOperationInside() async throws {
        let setup = try await setUp()
        let client = setup.client
        try setup.scratch.mkdir("root/dir")
        let swapper = Swapper(setup.scratch.sub("root/dir"), link: setup.outside)
        setup.fileSystem.raceHook.withLock { $0 = { path in if path == "/dir/new" { swapper.swap() } } }
        let file = try await client.open("dir/new", mode: "w")
        try await file.write("landed inside")
        try await file.close()
        // The directory that was resolved is the one written to, wherever it has been moved.
        #expect(try setup.scratch.read("root/dir.moved/new") == "landed inside")
        #expect(try setup.outsideListing() == ["secret"])
        await client.close()
    }

    @Test func linksFlippingUnderLoadNeverLeadOut() async throws {
        let setup = try await setUp()
        let client = setup.client
        let flipper = Flipper(setup.scratch.sub("root/flip"), link: setup.outside)
        let thread = Thread { flipper.run() }
        thread.start()
        defer { flipper.stop() }
        for index in 0..<100 {
            if let file = try? await client.open("flip/x\(index)", mode: "w") {
                try? await file.write("x")
                try? await file.close()
            }
            _ = try? await client.stat("flip/secret")
            _ = try? await client.open("flip/secret")
        }
        flipper.stop()
        #expect(try setup.outsideListing() == ["secret"])
        #expect(try setup.secretIntact())
        await client.close()
    }
}

/// Replaces a path with a link to somewhere else (moving the original to `.moved`), and back.
final class Swapper: Sendable {
    let path: String
    let link: String

    init(_ path: String, link: String) {
        self.path = path
        self.link = link
    }

    func swap() {
        rename(path, path + ".moved")
        symlink(link, path)
    }

    func restore() {
        unlink(path)
        rename(path + ".moved", path)
    }
}

/// Flips a path between a real directory and a link to the outside as fast as it can.
final class Flipper: @unchecked Sendable {
    private let path: String
    private let link: String
    private let lock = NSLock()
    private var running = true

    init(_ path: String, link: String) {
        self.path = path
        self.link = link
        mkdir(path, 0o755)
    }

    func run() {
        while lock.withLock({ running }) {
            rename(path, path + ".dir")
            symlink(link, path)
            unlink(path)
            rename(path + ".dir", path)
        }
    }

    func stop() { lock.withLock { running = false } }
}
