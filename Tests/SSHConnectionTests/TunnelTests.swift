import NIOCore
import SSHConnection
import SSHWire
import Testing

/// The pieces of tunnel forwarding that need no device (OpenSSH PROTOCOL §2.3): framing, unit
/// numbers, and whole-message sends on a datagram channel.
@Suite struct TunnelTests {
    static let ipv4 = ByteBuffer(bytes: [0x45, 0, 0, 20] + [UInt8](repeating: 0, count: 16))
    static let ipv6 = ByteBuffer(bytes: [0x60, 0, 0, 0] + [UInt8](repeating: 0, count: 36))

    @Test func pointToPointPacketsCarryOpenBSDsAddressFamily() throws {
        let four = try #require(TunnelFraming.message(carrying: Self.ipv4, mode: .pointToPoint))
        #expect(Array(four.readableBytesView.prefix(4)) == [0, 0, 0, 2])
        #expect(four.getSlice(at: four.readerIndex + 4, length: four.readableBytes - 4) == Self.ipv4)
        let six = try #require(TunnelFraming.message(carrying: Self.ipv6, mode: .pointToPoint))
        #expect(Array(six.readableBytesView.prefix(4)) == [0, 0, 0, 24])
        // Back to the device: the family goes, the packet stays whole.
        #expect(TunnelFraming.packet(in: four, mode: .pointToPoint) == Self.ipv4)
        #expect(TunnelFraming.packet(in: six, mode: .pointToPoint) == Self.ipv6)
    }

    @Test func ethernetFramesPassAsTheyAre() {
        let frame = ByteBuffer(bytes: [UInt8](repeating: 0xff, count: 6) + [1, 2, 3, 4, 5, 6, 0x08, 0x06])
        #expect(TunnelFraming.message(carrying: frame, mode: .ethernet) == frame)
        #expect(TunnelFraming.packet(in: frame, mode: .ethernet) == frame)
    }

    /// A peer's message too short to hold a packet, or an empty read, is dropped, never a trap.
    @Test(arguments: [[], [0], [0, 0, 0], [0, 0, 0, 2]] as [[UInt8]])
    func shortMessagesAreDropped(bytes: [UInt8]) {
        #expect(TunnelFraming.packet(in: ByteBuffer(bytes: bytes), mode: .pointToPoint) == nil)
        #expect(TunnelFraming.message(carrying: ByteBuffer(), mode: .pointToPoint) == nil)
        #expect(TunnelFraming.packet(in: ByteBuffer(), mode: .ethernet) == nil)
    }

    @Test func unitsAsSSHReadsThem() {
        #expect(TunnelUnit(parsing: "any") == .any)
        #expect(TunnelUnit(parsing: "ANY") == .any)
        #expect(TunnelUnit(parsing: "5") == .number(5))
        #expect(TunnelUnit(parsing: "2147483646")?.number == 0x7fff_fffe)
        #expect(TunnelUnit(parsing: "2147483647") == nil)
        #expect(TunnelUnit(parsing: "tun0") == nil)
        #expect(TunnelUnit(parsing: "") == nil)
        #expect(TunnelUnit.any.description == "any" && TunnelUnit.number(3).description == "3")
        #expect(TunnelMode.pointToPoint.description == "point-to-point" && TunnelMode.ethernet.description == "ethernet")
        #expect(!TunnelMode(rawValue: 3).isKnown)
    }

    /// Each packet is one message: sent whole when the window holds it, else not at all until it
    /// does; never split, and refused when larger than the peer's maximum packet.
    @Test func datagramsAreSentWholeOrNotYet() throws {
        var pair = MultiplexerPair()
        let (id, serverID) = try pair.openSession()
        // Use up all but 100 bytes of the server's 2 MiB window.
        var filler = ByteBuffer(repeating: 0, count: 2 * 1024 * 1024 - 100)
        try pair.client.send(&filler, on: id, writingInto: &pair.toServer)
        try pair.pump()
        var out: [SplitPayload] = []
        #expect(try pair.client.sendDatagram(ByteBuffer(repeating: 1, count: 101), on: id, writingInto: &out) == false)
        #expect(out.isEmpty && pair.client.sendableBytes(on: id) == 100)
        #expect(try pair.client.sendDatagram(ByteBuffer(repeating: 1, count: 100), on: id, writingInto: &out))
        #expect(out.count == 1 && pair.client.sendableBytes(on: id) == 0)
        pair.toServer = out.map { $0.joined() }
        try pair.pump()
        guard case .data(serverID, let received) = try #require(pair.serverEvents.last) else {
            Issue.record("no data: \(pair.serverEvents.last.map { "\($0)" } ?? "")")
            return
        }
        #expect(received == ByteBuffer(repeating: 1, count: 100))
        // Larger than the peer's maximum packet (32 KiB by default): a typed error, nothing sent.
        pair.server.consumed(2 * 1024 * 1024, on: serverID, writingInto: &pair.toClient)
        try pair.pump()
        out = []
        #expect {
            try pair.client.sendDatagram(ByteBuffer(repeating: 2, count: 40_000), on: id, writingInto: &out)
        } throws: { ($0 as? ConnectionError)?.code == .datagramTooLarge }
        #expect(out.isEmpty)
    }
}
