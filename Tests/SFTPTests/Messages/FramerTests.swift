import NIOCore
@testable import SFTP
import Testing

@Suite struct FramerTests {
    func frames(of packets: [SFTPPacket]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for packet in packets { packet.encodeFrame(into: &buffer) }
        return buffer
    }

    @Test(arguments: [1, 3, 7, 64, 100_000])
    func framesSurviveAnyChunking(chunkSize: Int) throws {
        let all = frames(of: PacketSamples.all)
        var framer = SFTPFramer()
        var decoded: [SFTPPacket] = []
        var offset = 0
        while offset < all.readableBytes {
            let length = min(chunkSize, all.readableBytes - offset)
            framer.append(all.getSlice(at: offset, length: length)!)
            offset += length
            while let frame = try framer.nextFrame() { decoded.append(try SFTPPacket(decoding: frame)) }
        }
        #expect(decoded == PacketSamples.all)
        #expect(framer.bufferedBytes == 0)
    }

    /// A frame spread over chunks comes out as slices of them, in order, without a copy; a length cut
    /// between chunks is read across them.
    @Test(arguments: [1, 2, 5, 1000]) func aFrameOverSeveralChunksComesAsItsPieces(chunkSize: Int) throws {
        var frame = ByteBuffer()
        SFTPPacket.response(id: 9, .data(ByteBuffer(bytes: (0..<3000).map { UInt8($0 % 251) }))).encodeFrame(into: &frame)
        SFTPPacket.response(id: 10, .status(SFTPStatus(code: .ok))).encodeFrame(into: &frame)
        var framer = SFTPFramer()
        var bodies: [[ByteBuffer]] = []
        var offset = 0
        while offset < frame.readableBytes {
            let length = min(chunkSize, frame.readableBytes - offset)
            framer.append(frame.getSlice(at: offset, length: length)!)
            offset += length
            while let pieces = try framer.nextFramePieces() { bodies.append(pieces) }
        }
        #expect(bodies.count == 2)
        // The body is bytes 4..<3013 of the stream: one piece per chunk it touches.
        #expect(bodies[0].count == 3012 / chunkSize - 4 / chunkSize + 1)
        #expect(try SFTPPacket(decoding: SFTPFramer.joined(bodies[0])) == .response(id: 9, .data(ByteBuffer(bytes: (0..<3000).map { UInt8($0 % 251) }))))
        #expect(try SFTPPacket(decoding: SFTPFramer.joined(bodies[1])) == .response(id: 10, .status(SFTPStatus(code: .ok))))
        #expect(framer.bufferedBytes == 0)
    }

    @Test func aFrameOverTheLimitIsRefusedFromItsLengthAlone() {
        var framer = SFTPFramer()
        framer.append(ByteBuffer(bytes: [0, 4, 0, 1]))
        #expect(throws: SFTPError.self) { try framer.nextFrame() }
        var empty = SFTPFramer()
        empty.append(ByteBuffer(bytes: [0, 0, 0, 0]))
        #expect(throws: SFTPError.self) { try empty.nextFrame() }
    }

    @Test func aFrameAtTheLimitIsAccepted() throws {
        var frame = ByteBuffer()
        frame.writeInteger(UInt32(SFTPPacket.maximumFrameLength))
        frame.writeRepeatingByte(103, count: SFTPPacket.maximumFrameLength)
        var framer = SFTPFramer()
        framer.append(frame)
        #expect(try framer.nextFrame()?.readableBytes == SFTPPacket.maximumFrameLength)
    }

    @Test func requestIDsAreReadWithoutDecoding() {
        #expect(SFTPPacket.requestID(ofBody: ByteBuffer(bytes: [17, 0, 0, 1, 2, 0xFF])) == 258)
        #expect(SFTPPacket.requestID(ofBody: ByteBuffer(bytes: [1, 0, 0, 0, 3])) == nil)
        #expect(SFTPPacket.requestID(ofBody: ByteBuffer(bytes: [17, 0])) == nil)
    }
}
