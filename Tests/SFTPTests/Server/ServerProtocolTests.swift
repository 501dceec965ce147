import Foundation
import NIOCore
import SFTP
import SSHTestSupport
import Testing

/// The server's limits and its answers to malformed or unexpected input, spoken to with raw packets.
@Suite struct ServerProtocolTests {
    /// A server of `root` with a raw packet connection to it.
    final class RawConnection: @unchecked Sendable {
        let stream: SFTPByteStream
        let served: Task<Void, any Error>
        private var framer = SFTPFramer()
        private var pending: [ByteBuffer] = []
        private let chunks: AsyncStream<ByteBuffer>
        private var iterator: AsyncStream<ByteBuffer>.Iterator

        init(root: String, options: SFTPServerOptions = .init()) throws {
            let (clientSide, serverSide) = SFTPByteStream.makePair()
            let server = SFTPServer(fileSystem: try LocalFileSystem(root: root), options: options)
            served = Task { try await server.run(over: serverSide) }
            stream = clientSide
            let (chunks, continuation) = AsyncStream<ByteBuffer>.makeStream()
            self.chunks = chunks
            iterator = chunks.makeAsyncIterator()
            Task {
                try? await clientSide.forEachInboundChunk { continuation.yield($0) }
                continuation.finish()
            }
        }

        func send(_ packet: SFTPPacket) async throws {
            var frame = ByteBuffer()
            packet.encodeFrame(into: &frame)
            try await stream.writer.write(frame)
        }

        func sendRaw(_ bytes: [UInt8]) async throws {
            try await stream.writer.write(ByteBuffer(bytes: bytes))
        }

        /// The next packet, or nil when the server ended the stream.
        func receive() async throws -> SFTPPacket? {
            while true {
                if let frame = try framer.nextFrame() { return try SFTPPacket(decoding: frame) }
                guard let chunk = await iterator.next() else { return nil }
                framer.append(chunk)
            }
        }

        func initialize() async throws -> [SFTPExtensionPair] {
            try await send(.initialize(version: 3, extensions: []))
            guard case .version(3, let extensions)? = try await receive() else { throw PeerError("no VERSION") }
            return extensions
        }

        func request(_ id: UInt32, _ request: SFTPRequest) async throws -> SFTPResponse? {
            try await send(.request(id: id, request))
            guard case .response(let answered, let response)? = try await receive(), answered == id else { return nil }
            return response
        }
    }

    func statusCode(_ response: SFTPResponse?) -> SFTPStatusCode? {
        if case .status(let status)? = response { return status.code }
        return nil
    }

    @Test func versionAnnouncesOpenSSHsExtensionsAndLimits() async throws {
        let scratch = try Scratch()
        let connection = try RawConnection(root: scratch.path)
        let extensions = try await connection.initialize()
        #expect(extensions.map(\.name) == PacketSamples.openSSHExtensions.map(\.name))
        #expect(extensions == PacketSamples.openSSHExtensions)
        guard case .extendedReply(let data)? = try await connection.request(1, .extended(.limits)) else {
            Issue.record("no limits")
            return
        }
        let limits = try SFTPLimits(decoding: data)
        #expect(limits.maximumPacketLength == 262_144)
        #expect(limits.maximumReadLength == 261_120 && limits.maximumWriteLength == 261_120)
        #expect(limits.maximumOpenHandles == UInt64(SFTPServerOptions.defaultHandleLimit))
    }

    @Test func readsAreCutToTheAnnouncedLength() async throws {
        let scratch = try Scratch()
        try scratch.write("big", bytes: randomBytes(600_000, seed: 2))
        let connection = try RawConnection(root: scratch.path)
        _ = try await connection.initialize()
        guard
            case .handle(let handle)? = try await connection.request(
                1, .open(path: "big", flags: .read, attributes: .none))
        else { throw PeerError("no handle") }
        guard case .data(let data)? = try await connection.request(2, .read(handle: handle, offset: 0, length: 500_000))
        else { throw PeerError("no data") }
        #expect(data.readableBytes == 255 * 1024)
        #expect(
            statusCode(try await connection.request(3, .read(handle: handle, offset: 600_000, length: 10)))
                == .endOfFile)
        #expect(
            statusCode(try await connection.request(4, .read(handle: handle, offset: UInt64.max - 5, length: 10)))
                == .badMessage)
        #expect(statusCode(try await connection.request(5, .close(handle: handle))) == .ok)
        #expect(statusCode(try await connection.request(6, .close(handle: handle))) == .failure)
        #expect(statusCode(try await connection.request(7, .read(handle: handle, offset: 0, length: 1))) == .failure)
    }

    @Test func openHandlesAreLimited() async throws {
        let scratch = try Scratch()
        try scratch.write("f", "f")
        var options = SFTPServerOptions()
        options.maximumOpenHandles = 3
        let connection = try RawConnection(root: scratch.path, options: options)
        _ = try await connection.initialize()
        var handles: [SFTPHandle] = []
        for id in 1...3 {
            guard case .handle(let handle)? = try await connection.request(UInt32(id), .opendir(path: "/")) else {
                throw PeerError("no handle")
            }
            handles.append(handle)
        }
        #expect(
            statusCode(try await connection.request(4, .open(path: "f", flags: .read, attributes: .none))) == .failure)
        #expect(statusCode(try await connection.request(5, .close(handle: handles[0]))) == .ok)
        if case .handle = try await connection.request(6, .open(path: "f", flags: .read, attributes: .none)) {
        } else {
            Issue.record("a freed handle slot was not reused")
        }
    }

    @Test func anUndecodableRequestIsABadMessageAndTheSessionGoesOn() async throws {
        let scratch = try Scratch()
        let connection = try RawConnection(root: scratch.path)
        _ = try await connection.initialize()
        // STAT (17) with id 9 and a path that is not UTF-8.
        try await connection.sendRaw([0, 0, 0, 10, 17, 0, 0, 0, 9, 0, 0, 0, 1, 0xFF])
        guard case .response(9, .status(let status))? = try await connection.receive() else {
            throw PeerError("no status")
        }
        #expect(status.code == .badMessage)
        // An unknown extended request.
        #expect(
            statusCode(try await connection.request(10, .extended(.other(name: "x@y", data: ByteBuffer()))))
                == .operationUnsupported)
        #expect(statusCode(try await connection.request(11, .stat(path: "/"))) == nil)
    }

    @Test func requestsBeforeINITAndOversizedFramesEndTheSession() async throws {
        let scratch = try Scratch()
        let early = try RawConnection(root: scratch.path)
        try await early.send(.request(id: 1, .stat(path: "/")))
        #expect(try await early.receive() == nil)
        await #expect(throws: SFTPError.self) { try await early.served.value }

        let large = try RawConnection(root: scratch.path)
        _ = try await large.initialize()
        try await large.sendRaw([0, 4, 0, 1, 17])
        #expect(try await large.receive() == nil)
        await #expect(throws: SFTPError.self) { try await large.served.value }
    }

    @Test func errnoMapsToTheStatusOpenSSHSends() {
        let cases: [(Int32, SFTPError.Code)] = [
            (ENOENT, .noSuchFile), (ENOTDIR, .noSuchFile), (ELOOP, .noSuchFile), (EACCES, .permissionDenied),
            (EPERM, .permissionDenied), (EINVAL, .badMessage), (ENOSPC, .failure), (EEXIST, .failure),
            (ENOTEMPTY, .failure), (ENOSYS, .operationUnsupported),
        ]
        for (code, expected) in cases { #expect(SFTPError(errno: code, "x").code == expected, "errno \(code)") }
        #expect(SFTPError(errno: ENOSPC, "write /f").status.message == "write /f: No space left on device")
    }

    /// Our server run as `nobody` over pipes: refusals by the kernel come back as PERMISSION_DENIED.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func permissionDeniedMapsToItsStatus() async throws {
        let scratch = try Scratch("perm")
        chmod(scratch.path, 0o755)
        try scratch.mkdir("locked-dir")
        try scratch.write("secret.txt", "secret")
        try scratch.write("locked-dir/file", "file")
        chmod(scratch.sub("secret.txt"), 0o600)
        chmod(scratch.sub("locked-dir"), 0o555)
        let peer = try SFTPPeer([
            "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", try Peers.paramiko(), "sftp-server",
            "--root", scratch.path,
        ])
        defer { peer.stop() }
        let client = try await peer.connect()
        #expect(await sftpErrorCode { _ = try await client.open("secret.txt") } == .permissionDenied)
        #expect(await sftpErrorCode { try await client.mkdir("locked-dir/new") } == .permissionDenied)
        #expect(await sftpErrorCode { try await client.remove("locked-dir/file") } == .permissionDenied)
        #expect(await sftpErrorCode { try await client.chmod("secret.txt", mode: 0o644) } == .permissionDenied)
        #expect(
            await sftpErrorCode { try await client.rename("locked-dir/file", to: "locked-dir/moved") }
                == .permissionDenied)
        #expect(await sftpErrorCode { _ = try await client.open("locked-dir/file", mode: "w") } == .permissionDenied)
        #expect(await sftpErrorCode { _ = try await client.stat("locked-dir/missing") } == .noSuchFile)
        #expect(try scratch.read("secret.txt") == "secret")
        await client.close()
    }
}
