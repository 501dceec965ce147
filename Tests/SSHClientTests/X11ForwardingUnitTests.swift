import NIOCore
import SSHConnection
import Testing

@testable import SSHClient

/// DISPLAY names and the X11 connection-setup check that puts the real cookie in place of the fake.
struct X11ForwardingUnitTests {
    @Test func displayNames() {
        #expect(X11Display(":0")?.address == .unix(path: "/tmp/.X11-unix/X0"))
        #expect(X11Display(":10.2").map { ($0.number, $0.screen) }! == (10, 2))
        #expect(X11Display("unix:3")?.address == .unix(path: "/tmp/.X11-unix/X3"))
        #expect(X11Display("localhost:10.0")?.address == .tcp(host: "localhost", port: 6010))
        #expect(X11Display("myhost/unix:1")?.address == .unix(path: "/tmp/.X11-unix/X1"))
        for bad in ["", "abc", ":", ":x", ":1.y", ":1.2.3", ":-1"] { #expect(X11Display(bad) == nil, "\(bad)") }
    }

    /// A connection setup: byte order, version 11.0, the protocol name and data, each padded to four.
    static func setup(bigEndian: Bool, name: String, data: [UInt8]) -> [UInt8] {
        func u16(_ value: Int) -> [UInt8] {
            bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
        }
        func padded(_ bytes: [UInt8]) -> [UInt8] { bytes + Array(repeating: 0, count: (4 - bytes.count % 4) % 4) }
        return [bigEndian ? UInt8(ascii: "B") : UInt8(ascii: "l"), 0] + u16(11) + u16(0) + u16(name.utf8.count)
            + u16(data.count) + [0, 0] + padded(Array(name.utf8)) + padded(data)
    }

    static let fake: [UInt8] = Array(0..<16)
    static let real: [UInt8] = Array(100..<116)

    static func rewriter() -> X11SetupRewriter {
        X11SetupRewriter(protocolName: Array("MIT-MAGIC-COOKIE-1".utf8), fake: fake, real: real)
    }

    @Test(arguments: [true, false], [1, 5, 100])
    func theFakeCookieBecomesTheRealOneInAnyCut(bigEndian: Bool, chunk: Int) throws {
        let input = Self.setup(bigEndian: bigEndian, name: "MIT-MAGIC-COOKIE-1", data: Self.fake) + [1, 2, 3]
        var rewriter = Self.rewriter()
        var output: ByteBuffer?
        var offset = 0
        while output == nil, offset < input.count {
            let end = min(offset + chunk, input.count)
            output = try rewriter.take(ByteBuffer(bytes: input[offset..<end]))
            offset = end
        }
        let expected = Self.setup(bigEndian: bigEndian, name: "MIT-MAGIC-COOKIE-1", data: Self.real) + [1, 2, 3]
        let sent = Array(try #require(output).readableBytesView) + input[offset...]
        #expect(sent == expected)
    }

    @Test func otherCookiesProtocolsAndByteOrdersAreRefused() {
        let cases: [[UInt8]] = [
            Self.setup(bigEndian: true, name: "MIT-MAGIC-COOKIE-1", data: Self.real),
            Self.setup(bigEndian: false, name: "MIT-MAGIC-COOKIE-1", data: Array(Self.fake.prefix(8))),
            Self.setup(bigEndian: true, name: "XDM-AUTHORIZATION-1", data: Self.fake),
            Self.setup(bigEndian: true, name: "", data: []),
            [UInt8(ascii: "X")] + Array(Self.setup(bigEndian: true, name: "MIT-MAGIC-COOKIE-1", data: Self.fake).dropFirst()),
        ]
        for input in cases {
            var rewriter = Self.rewriter()
            #expect(throws: X11SetupRewriter.Refusal.self) { _ = try rewriter.take(ByteBuffer(bytes: input)) }
        }
    }
}
