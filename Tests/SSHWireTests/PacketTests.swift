import NIOCore
import SSHWire
import SSHTestSupport
import Testing

@Suite struct PacketTests {
    static let alignments: [PacketAlignment] = [
        .standard(blockSize: 8), .standard(blockSize: 16), .lengthExcluded(blockSize: 8),
        .lengthExcluded(blockSize: 16),
        .standard(blockSize: 1), .unencrypted,
    ]

    @Test(arguments: alignments)
    func paddingFollowsRFC4253Section6ForEveryLength(alignment: PacketAlignment) throws {
        var random = SeededRandom(seed: 0x5EED)
        for payloadLength in 0...600 {
            let padding = try SSHPacket.paddingLength(forPayloadLength: payloadLength, alignment: alignment)
            let packetLength = 1 + payloadLength + padding
            let block = max(8, alignment.blockSize)
            #expect(padding >= 4 && padding < 4 + block)
            #expect((packetLength + (alignment.excludesLengthField ? 0 : 4)) % block == 0)

            var packet = ByteBuffer()
            let payload = ByteBuffer(bytes: (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0) })
            let written = try SSHPacket.write(payload: payload, into: &packet, alignment: alignment, padding: &random)
            #expect(written == 4 + packetLength)
            #expect(packet.getInteger(at: 0, as: UInt32.self) == UInt32(packetLength))
            #expect(packet.getInteger(at: 4, as: UInt8.self) == UInt8(padding))
            #expect(try SSHPacket.payload(ofPacket: packet, alignment: alignment) == payload)
        }
    }

    @Test func theInPlaceWriterMatchesTheCopyingOne() throws {
        var first = SeededRandom(seed: 1)
        var second = SeededRandom(seed: 1)
        var inPlace = ByteBuffer()
        var copied = ByteBuffer()
        try SSHPacket.write(into: &inPlace, alignment: .lengthExcluded(blockSize: 16), padding: &first) {
            ChannelDataMessage(recipientChannel: 1, data: ByteBuffer(string: "x")).encode(into: &$0)
        }
        try SSHPacket.write(
            payload: ChannelDataMessage(recipientChannel: 1, data: ByteBuffer(string: "x")).encodedPayload(),
            into: &copied, alignment: .lengthExcluded(blockSize: 16), padding: &second)
        #expect(inPlace == copied)
    }

    @Test func tooLargePayloadsAndBlocksAreRefusedAndLeaveTheBufferAlone() {
        var random = SeededRandom(seed: 0x5EED)
        var packet = ByteBuffer(bytes: [0xAB])
        let big = ByteBuffer(repeating: 0, count: SSHPacket.maximumPayloadLength + 1)
        #expect(
            wireErrorCode { () throws(WireError) in
                try SSHPacket.write(payload: big, into: &packet, alignment: .unencrypted, padding: &random)
            } == .lengthTooLarge)
        #expect(packet == ByteBuffer(bytes: [0xAB]))
        #expect(
            wireErrorCode { () throws(WireError) in
                try SSHPacket.paddingLength(forPayloadLength: 0, alignment: .standard(blockSize: 128))
            } == .invalidValue)
        #expect(
            (try? SSHPacket.paddingLength(
                forPayloadLength: SSHPacket.maximumPayloadLength - 8, alignment: .unencrypted))
                != nil)
    }

    static let badPackets: [(bytes: [UInt8], alignment: PacketAlignment)] = [
        (be32(0) + [], .unencrypted),  // packet_length 0
        (be32(4) + [4, 0, 0, 0], .unencrypted),  // packet_length below 5
        (be32(262_145), .lengthExcluded(blockSize: 8)),  // above the maximum
        (be32(0xFFFF_FFFF), .unencrypted),  // huge
        (be32(12) + [3] + [UInt8](repeating: 0, count: 11), .unencrypted),  // padding below 4
        (be32(12) + [12] + [UInt8](repeating: 0, count: 11), .unencrypted),  // padding = packet_length
        (be32(13) + [4] + [UInt8](repeating: 0, count: 12), .unencrypted),  // misaligned
        (be32(12) + [4] + [UInt8](repeating: 0, count: 10), .unencrypted),  // shorter than packet_length
        (be32(12) + [4] + [UInt8](repeating: 0, count: 12), .unencrypted),  // longer than packet_length
        (be32(12) + [4] + [UInt8](repeating: 0, count: 11), .lengthExcluded(blockSize: 8)),  // misaligned for AEAD
        (be32(16) + [4] + [UInt8](repeating: 0, count: 15), .lengthExcluded(blockSize: 32)),
        ([0, 0, 0], .unencrypted),  // no length at all
    ]

    @Test(arguments: 0..<12)
    func badPacketsAreRejected(index: Int) {
        let (bytes, alignment) = Self.badPackets[index]
        let code = wireErrorCode { () throws(WireError) in
            try SSHPacket.payload(ofPacket: buffer(bytes), alignment: alignment)
        }
        #expect(code == .invalidPacket || code == .truncated)
    }

    @Test func lengthLimitsAreEnforcedAtTheEdges() throws {
        try SSHPacket.validatePacketLength(262_140, alignment: .unencrypted)
        try SSHPacket.validatePacketLength(262_144, alignment: .lengthExcluded(blockSize: 16))
        try SSHPacket.validatePacketLength(35_004, alignment: .unencrypted)
        #expect(throws: WireError.self) { try SSHPacket.validatePacketLength(262_148, alignment: .unencrypted) }
        #expect(SSHPacket.maximumPacketLength == 262_144)
    }
}

extension PacketAlignment: CustomTestStringConvertible {
    public var testDescription: String { "\(excludesLengthField ? "lengthExcluded" : "standard")(\(blockSize))" }
}
