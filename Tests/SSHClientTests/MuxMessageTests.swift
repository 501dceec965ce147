import NIOCore
import SSHClient
import Testing

/// The connection-sharing messages of OpenSSH's PROTOCOL.mux: their bytes, and what a short or
/// unknown message gives.
struct MuxMessageTests {
    static let forward = MuxForward(
        kind: .remote, listenHost: "*", listenPort: 0, connectHost: "/run/app.sock", connectPort: MuxForward.streamLocal)

    static var everyMessage: [MuxMessage] {
        var session = MuxSessionRequest()
        session.wantsTerminal = true
        session.wantsAgent = true
        session.escapeCharacter = UInt8(ascii: "~")
        session.terminalType = "xterm-256color"
        session.command = "uptime"
        session.environment = ["LANG=C.UTF-8", "EMPTY="]
        var subsystem = MuxSessionRequest()
        subsystem.isSubsystem = true
        subsystem.command = "sftp"
        return [
            .hello(version: 4, extensions: []), .hello(version: 4, extensions: [MuxExtension(name: "x@example.com", value: "1")]),
            .newSession(request: 7, session), .newSession(request: 8, subsystem), .aliveCheck(request: 1),
            .terminate(request: 2), .openForward(request: 3, forward), .closeForward(request: 4, forward),
            .newStdioForward(request: 5, host: "db.internal", port: 5432), .stopListening(request: 6), .proxy(request: 9),
            .ok(request: 1), .permissionDenied(request: 2, reason: "Permission denied"),
            .failure(request: 3, reason: "Port forwarding failed"), .exitMessage(session: 1, status: 130),
            .alive(request: 1, pid: 4242), .sessionOpened(request: 7, session: 2), .remotePort(request: 3, port: 40000),
            .ttyAllocationFailed(session: 2), .proxyOpened(request: 9),
        ]
    }

    @Test(arguments: everyMessage)
    func decodesWhatItEncodes(_ message: MuxMessage) throws {
        #expect(try MuxMessage.decode(message.encoded()) == message)
    }

    @Test func bytesAsPROTOCOLMuxLaysThemOut() throws {
        #expect(Array(MuxMessage.hello(version: 4, extensions: []).encoded().readableBytesView) == [0, 0, 0, 1, 0, 0, 0, 4])
        #expect(
            Array(MuxMessage.alive(request: 1, pid: 258).encoded().readableBytesView)
                == [0x80, 0, 0, 5, 0, 0, 0, 1, 0, 0, 1, 2])
        // A session's four flags are uint32s, as OpenSSH writes them; no escape character is
        // 0xffffffff, and the reserved text is empty.
        var plain = MuxSessionRequest()
        plain.command = "id"
        plain.wantsAgent = true
        let bytes = Array(MuxMessage.newSession(request: 1, plain).encoded().readableBytesView)
        #expect(
            bytes == [0x10, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0] + [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
                + [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 2] + Array("id".utf8))
        var forward = ByteBuffer()
        Self.forward.write(into: &forward)
        #expect(Array(forward.readableBytesView.prefix(9)) == [0, 0, 0, 2, 0, 0, 0, 1, UInt8(ascii: "*")])
    }

    @Test func shortUnknownAndMalformedMessagesThrow() {
        let alive = MuxMessage.alive(request: 1, pid: 2).encoded()
        for length in 0..<alive.readableBytes {
            #expect(throws: MuxError.self) { try MuxMessage.decode(alive.getSlice(at: 0, length: length)!) }
        }
        #expect(throws: MuxError.self) { try MuxMessage.decode(ByteBuffer(bytes: [0x10, 0, 0, 3, 0, 0, 0, 1])) }
        // A forwarding of an unknown type.
        var badForward = ByteBuffer()
        badForward.writeInteger(UInt32(0x1000_0006))
        badForward.writeInteger(UInt32(1))
        badForward.writeInteger(UInt32(9))
        #expect(throws: MuxError.self) { try MuxMessage.decode(badForward) }
    }
}
