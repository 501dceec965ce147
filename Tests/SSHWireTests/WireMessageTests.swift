import NIOCore
import SSHWire
import Testing

@Suite struct WireMessageTests {
    @Test func buildThenRead() throws {
        var message = WireMessage()
        message.add(byte: 94)
        message.add(boolean: true)
        message.add(uint32: 7)
        message.add(uint64: 1 << 40)
        message.add(string: "text")
        message.add(string: [UInt8]([1, 2, 3]))
        message.add(string: ByteBuffer(bytes: [9]))
        message.add(mpint: [0x00, 0xFF])
        message.add(nameList: ["a", "b"])
        message.add(rawBytes: [0xEE])

        var reader = WireMessage(message.buffer)
        #expect(try reader.readByte() == 94)
        #expect(try reader.readBoolean())
        #expect(try reader.readUInt32() == 7)
        #expect(try reader.readUInt64() == 1 << 40)
        #expect(try reader.readUTF8String() == "text")
        #expect(Array(try reader.readString().readableBytesView) == [1, 2, 3])
        #expect(Array(try reader.readString().readableBytesView) == [9])
        #expect(Array(try reader.readMPInt().readableBytesView) == [0x00, 0xFF])
        #expect(try reader.readNameList() == ["a", "b"])
        #expect(throws: WireError.self) { try reader.expectEnd() }
        #expect(reader.remainingBytes == 1)
        #expect(Array(reader.readRemainingBytes().readableBytesView) == [0xEE])
        try reader.expectEnd()
    }

    @Test func readersThrowTypedErrorsAndKeepTheirPlace() {
        var reader = WireMessage(bytes: [0, 0, 0, 9, 1])
        #expect(wireErrorCode { () throws(WireError) in try reader.readString() } == .lengthTooLarge)
        #expect(wireErrorCode { () throws(WireError) in try reader.readUInt64() } == .truncated)
        #expect(reader.bytes == [0, 0, 0, 9, 1])
        var unsigned = WireMessage(bytes: [0, 0, 0, 1, 0x80])
        #expect(wireErrorCode { () throws(WireError) in try unsigned.readUnsignedMPInt() } == .negativeMPInt)
    }
}
