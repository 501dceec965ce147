import NIOCore
import Testing

@testable import SSHClient

/// The SOCKS handshake of dynamic forwarding, byte by byte as RFC 1928 and the SOCKS 4/4a
/// documents lay it out.
struct SOCKSHandshakeTests {
    @Test func socks5DomainRequestInPieces() {
        var handshake = SOCKSHandshake()
        var buffer = ByteBuffer(bytes: [5])
        #expect(handshake.feed(&buffer) == .needMore)
        buffer.writeBytes([1, 0])
        #expect(handshake.feed(&buffer) == .send([5, 0]))
        buffer.writeBytes([5, 1, 0, 3, 11] + Array("example.org".utf8))
        #expect(handshake.feed(&buffer) == .needMore)
        buffer.writeBytes([0x01, 0xBB, 0x41])
        #expect(handshake.feed(&buffer) == .connect(host: "example.org", port: 443))
        #expect(buffer.readableBytesView.elementsEqual([0x41]))
        #expect(handshake.reply(success: true) == [5, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        #expect(handshake.reply(success: false)[1] == 5)
    }

    @Test func socks5AddressesAndRefusals() {
        var v4 = SOCKSHandshake()
        var buffer = ByteBuffer(bytes: [5, 1, 0, 5, 1, 0, 1, 10, 0, 0, 7, 0, 22])
        #expect(v4.feed(&buffer) == .send([5, 0]))
        #expect(v4.feed(&buffer) == .connect(host: "10.0.0.7", port: 22))
        var v6 = SOCKSHandshake()
        buffer = ByteBuffer(bytes: [5, 1, 0, 5, 1, 0, 4] + [UInt8](repeating: 0, count: 15) + [1, 0, 80])
        #expect(v6.feed(&buffer) == .send([5, 0]))
        #expect(v6.feed(&buffer) == .connect(host: "0:0:0:0:0:0:0:1", port: 80))
        var authOnly = SOCKSHandshake()
        buffer = ByteBuffer(bytes: [5, 1, 2])
        #expect(authOnly.feed(&buffer) == .refuse([5, 0xFF], reason: "the SOCKS 5 client offers no method without authentication"))
        var bind = SOCKSHandshake()
        buffer = ByteBuffer(bytes: [5, 1, 0, 5, 2, 0, 1, 1, 2, 3, 4, 0, 1])
        _ = bind.feed(&buffer)
        guard case .refuse(let reply, _) = bind.feed(&buffer) else {
            Issue.record("BIND was not refused")
            return
        }
        #expect(reply[1] == 7)
    }

    @Test func socks4And4a() {
        var plain = SOCKSHandshake()
        var buffer = ByteBuffer(bytes: [4, 1, 0, 80, 192, 168, 1, 2] + Array("me".utf8) + [0])
        #expect(plain.feed(&buffer) == .connect(host: "192.168.1.2", port: 80))
        #expect(plain.reply(success: true) == [0, 0x5A, 0, 0, 0, 0, 0, 0])
        var named = SOCKSHandshake()
        buffer = ByteBuffer(bytes: [4, 1, 0x1F, 0x90, 0, 0, 0, 9, 0] + Array("host.test".utf8))
        #expect(named.feed(&buffer) == .needMore)
        buffer.writeBytes([0])
        #expect(named.feed(&buffer) == .connect(host: "host.test", port: 8080))
        var unknown = SOCKSHandshake()
        buffer = ByteBuffer(bytes: [6, 1])
        #expect(unknown.feed(&buffer) == .refuse([], reason: "SOCKS version 6 is not known"))
    }
}
