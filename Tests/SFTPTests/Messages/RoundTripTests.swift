import NIOCore
import SFTP
import SSHWire
import Testing

@Suite struct RoundTripTests {
    @Test(arguments: PacketSamples.all)
    func everyPacketRoundTrips(packet: SFTPPacket) throws {
        let body = ByteBuffer(bytes: packet.bodyBytes)
        #expect(body.getInteger(at: 0, as: UInt8.self) == packet.packetType.rawValue)
        #expect(try SFTPPacket(decoding: body) == packet)
    }

    @Test(arguments: PacketSamples.all)
    func everyPacketRoundTripsAsAFrame(packet: SFTPPacket) throws {
        var frame = ByteBuffer()
        packet.encodeFrame(into: &frame)
        #expect(frame.getInteger(at: 0, as: UInt32.self) == UInt32(frame.readableBytes - 4))
        var framer = SFTPFramer()
        framer.append(frame)
        let body = try #require(try framer.nextFrame())
        #expect(try SFTPPacket(decoding: body) == packet)
        #expect(try framer.nextFrame() == nil)
    }

    @Test func samplesCoverEveryMessageType() {
        let types = Set(PacketSamples.all.map(\.packetType.rawValue))
        #expect(types == Set(Array(1...20) + Array(101...105) + [200, 201]))
        let extended = Set(PacketSamples.extendedRequests.map(\.name))
        #expect(extended.isSuperset(of: PacketSamples.openSSHExtensions.map(\.name)))
    }

    @Test func goldenBytesOfAReadRequest() throws {
        let packet = SFTPPacket.request(
            id: 7, .read(handle: SFTPHandle(bytes: [1, 2])!, offset: 0x10, length: 0x8000))
        #expect(
            packet.bodyBytes == [5, 0, 0, 0, 7, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0x80, 0])
    }

    @Test func goldenBytesOfAnAttributesResponse() {
        let packet = SFTPPacket.response(
            id: 1, .attributes(SFTPAttributes(size: 5, permissions: 0o644, accessTime: 1, modificationTime: 2)))
        #expect(
            packet.bodyBytes == [
                105, 0, 0, 0, 1, 0, 0, 0, 0x0D, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0x01, 0xA4, 0, 0, 0, 1, 0, 0, 0, 2,
            ])
    }

    @Test func halfAPairIsNotSent() {
        let attributes = SFTPAttributes(uid: 5, accessTime: 9)
        #expect(attributes.flags == [])
        var buffer = ByteBuffer()
        attributes.encode(into: &buffer)
        #expect(buffer.readableBytes == 4)
    }

    @Test func extendedRepliesRoundTrip() throws {
        #expect(try SFTPLimits(decoding: PacketSamples.sampleLimits.encoded()) == PacketSamples.sampleLimits)
        #expect(try SFTPFileSystemStats(decoding: PacketSamples.sampleStats.encoded()) == PacketSamples.sampleStats)
        #expect(try SFTPUserGroupNames(decoding: PacketSamples.sampleNames.encoded()) == PacketSamples.sampleNames)
        #expect(PacketSamples.sampleLimits.encoded().readableBytes == 32)
        #expect(PacketSamples.sampleStats.encoded().readableBytes == 88)
    }

    @Test func dataIsASliceOfTheFrame() throws {
        let body = ByteBuffer(bytes: SFTPPacket.response(id: 1, .data(ByteBuffer(string: "abc"))).bodyBytes)
        guard case .response(_, .data(let data)) = try SFTPPacket(decoding: body) else {
            Issue.record("not DATA")
            return
        }
        let same = body.withUnsafeReadableBytes { outer in
            data.withUnsafeReadableBytes { $0.baseAddress == outer.baseAddress.map { $0 + 9 } }
        }
        #expect(same)
    }

    @Test func statusCodesMapToTypedErrors() {
        let pairs: [(SFTPStatusCode, SFTPError.Code)] = [
            (.endOfFile, .endOfFile), (.noSuchFile, .noSuchFile), (.permissionDenied, .permissionDenied),
            (.failure, .failure), (.badMessage, .badMessage), (.noConnection, .noConnection),
            (.connectionLost, .connectionLost), (.operationUnsupported, .operationUnsupported),
            (SFTPStatusCode(rawValue: 42), .otherStatus),
        ]
        for (status, code) in pairs {
            let error = SFTPError(status: SFTPStatus(code: status, message: "m"))
            #expect(error.code == code)
            #expect(error.statusCode == status)
            #expect(error.status.code == status)
        }
        #expect(SFTPError(.unsafeName, "x").statusCode == .failure)
        #expect(SFTPError(WireError(.truncated, "t")).code == .badMessage)
    }

    @Test func openModesFollowPython() {
        #expect(SFTPOpenFlags(mode: "r") == [.read])
        #expect(SFTPOpenFlags(mode: "rb+") == [.read, .write])
        #expect(SFTPOpenFlags(mode: "w") == [.write, .create, .truncate])
        #expect(SFTPOpenFlags(mode: "a+") == [.read, .write, .create, .append])
        #expect(SFTPOpenFlags(mode: "x") == [.write, .create, .exclusive])
        #expect(SFTPOpenFlags(mode: "q") == nil)
    }
}
