import NIOCore
import Testing

@testable import SSHTransport

@Suite struct IdentificationParserTests {
    @Test func clientSkipsPreambleLines() throws {
        var parser = IdentificationParser(allowsPreamble: true)
        var buffer = ByteBuffer(string: "hello\r\nworld\nSSH-2.0-OpenSSH_9.2p1 Debian-2\r\nrest")
        #expect(try parser.parse(&buffer) == "SSH-2.0-OpenSSH_9.2p1 Debian-2")
        #expect(parser.preambleLines == ["hello", "world"])
        #expect(String(buffer: buffer) == "rest")
    }

    @Test func needsMoreBytes() throws {
        var parser = IdentificationParser(allowsPreamble: false)
        var buffer = ByteBuffer(string: "SSH-2.0-x")
        #expect(try parser.parse(&buffer) == nil)
        buffer.writeString("y\r\n")
        #expect(try parser.parse(&buffer) == "SSH-2.0-xy")
    }

    @Test func acceptsSSH199() throws {
        var parser = IdentificationParser(allowsPreamble: false)
        var buffer = ByteBuffer(string: "SSH-1.99-old\r\n")
        #expect(try parser.parse(&buffer) == "SSH-1.99-old")
    }

    @Test(arguments: [
        "SSH-1.5-old\r\n", "garbage\r\n", "SSH-2.0-" + String(repeating: "x", count: 300) + "\r\n",
        "SSH-2.0-bad\u{1}char\r\n",
    ])
    func serverRejects(_ text: String) {
        var parser = IdentificationParser(allowsPreamble: false)
        var buffer = ByteBuffer(string: text)
        #expect(throws: TransportError.self) { _ = try parser.parse(&buffer) }
    }

    @Test func boundsThePreamble() {
        var parser = IdentificationParser(allowsPreamble: true)
        var buffer = ByteBuffer(string: String(repeating: "line\n", count: 1025))
        #expect(throws: TransportError.self) { _ = try parser.parse(&buffer) }
        var long = IdentificationParser(allowsPreamble: true)
        var longLine = ByteBuffer(string: String(repeating: "x", count: 9000))
        #expect(throws: TransportError.self) { _ = try long.parse(&longLine) }
    }
}
