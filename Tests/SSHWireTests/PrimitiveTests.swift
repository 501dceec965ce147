import NIOCore
import SSHWire
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite struct PrimitiveTests {
    /// The vectors cover each buffer's readable bytes in order, slices included, so a writev of them
    /// writes exactly the buffers one after another.
    /// After a short writev: used-up buffers go (empty ones with them), the next keeps its unwritten rest.
    @Test func removingBytesFromTheFrontOfBuffers() {
        var buffers = [ByteBuffer(), ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(), ByteBuffer(bytes: [4, 5])]
        buffers.removeFirst(bytes: 0)
        #expect(buffers.map { Array($0.readableBytesView) } == [[1, 2, 3], [], [4, 5]])
        buffers.removeFirst(bytes: 4)
        #expect(buffers.map { Array($0.readableBytesView) } == [[5]])
        buffers.removeFirst(bytes: 9)
        #expect(buffers.isEmpty)
    }

    @Test func ioVectorsGatherTheReadableBytesInOrder() throws {
        var first = ByteBuffer(bytes: [9, 9, 1, 2, 3])
        first.moveReaderIndex(forwardBy: 2)
        let second = ByteBuffer(bytes: Array(4...200))
        let third = ByteBuffer(bytes: [0, 255, 254]).getSlice(at: 1, length: 2)!
        let gathered: [UInt8] = [first, ByteBuffer(), second, third].withIOVectors { vectors in
            #expect(vectors.count == 4)
            return vectors.flatMap { vector in
                Array(UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len))
            }
        }
        #expect(gathered == [1, 2, 3] + Array(4...200) + [255, 254])
    }

    // RFC 4251 §5, the mpint examples: value (two's complement bytes) and the wire bytes.
    static let mpintExamples: [(value: [UInt8], wire: String)] = [
        ([], "00000000"),
        (hex("09a378f9b2e332a7"), "00000008 09a378f9b2e332a7"),
        (hex("0080"), "00000002 0080"),
        (hex("edcc"), "00000002 edcc"),
        (hex("ff21524111"), "00000005 ff21524111"),
    ]

    @Test(arguments: 0..<5)
    func mpintExamplesAreByteExact(index: Int) throws {
        let example = Self.mpintExamples[index]
        var written = ByteBuffer()
        written.writeSSHMPInt(twosComplement: example.value)
        #expect(hexString(written) == example.wire.filter { $0 != " " })
        var wire = buffer(hex(example.wire))
        #expect(Array(try wire.readSSHMPInt().readableBytesView) == example.value)
        #expect(wire.readableBytes == 0)
    }

    @Test func unsignedMPIntsAddAndStripTheSignByte() throws {
        var written = ByteBuffer()
        written.writeSSHMPInt(unsignedBigEndian: [0x00, 0x00, 0x80])
        written.writeSSHMPInt(unsignedBigEndian: [0x00, 0x00])
        written.writeSSHMPInt(unsignedBigEndian: hex("09a378f9b2e332a7"))
        #expect(hexString(written) == "000000020080" + "00000000" + "0000000809a378f9b2e332a7")
        #expect(Array(try written.readSSHUnsignedMPInt().readableBytesView) == [0x80])
        #expect(try written.readSSHUnsignedMPInt().readableBytes == 0)
        #expect(Array(try written.readSSHUnsignedMPInt().readableBytesView) == hex("09a378f9b2e332a7"))
    }

    @Test func twosComplementWriterDropsRedundantSignBytes() {
        var written = ByteBuffer()
        written.writeSSHMPInt(twosComplement: [0x00, 0x00, 0x7F])
        written.writeSSHMPInt(twosComplement: [0xFF, 0xFF, 0x80])
        written.writeSSHMPInt(twosComplement: [0xFF, 0xFF])
        written.writeSSHMPInt(twosComplement: [0x00])
        #expect(hexString(written) == "000000017f" + "0000000180" + "00000001ff" + "00000000")
    }

    static let malformedMPInts: [(wire: String, code: WireError.Code)] = [
        ("00000001 00", .nonMinimalMPInt),
        ("00000002 0001", .nonMinimalMPInt),
        ("00000002 007f", .nonMinimalMPInt),
        ("00000002 ff80", .nonMinimalMPInt),
        ("00000003 ffffff", .nonMinimalMPInt),
        ("00000002 00", .lengthTooLarge),
        ("000000", .truncated),
        ("ffffffff", .lengthTooLarge),
    ]

    @Test(arguments: 0..<8)
    func malformedMPIntsThrowAndLeaveTheReaderIndex(index: Int) {
        let example = Self.malformedMPInts[index]
        var wire = buffer(hex(example.wire))
        #expect(wireErrorCode { () throws(WireError) in try wire.readSSHMPInt() } == example.code)
        #expect(wire.readerIndex == 0)
        #expect(wireErrorCode { () throws(WireError) in try wire.readSSHUnsignedMPInt() } == example.code)
        #expect(wire.readerIndex == 0)
    }

    @Test func negativeMPIntIsRejectedWhereUnsignedIsRequired() {
        var wire = buffer(hex("00000002 edcc"))
        #expect(wireErrorCode { () throws(WireError) in try wire.readSSHUnsignedMPInt() } == .negativeMPInt)
        #expect(wire.readerIndex == 0)
        #expect(throws: WireError.self) { try wire.readSSHUnsignedMPInt() }
    }

    @Test func nameListExamples() throws {
        // RFC 4251 §5: (), ("zlib"), ("zlib", "none").
        var written = ByteBuffer()
        written.writeSSHNameList([])
        written.writeSSHNameList(["zlib"])
        written.writeSSHNameList(["zlib", "none"])
        #expect(hexString(written) == "00000000" + "000000047a6c6962" + "000000097a6c69622c6e6f6e65")
        #expect(try written.readSSHNameList() == [])
        #expect(try written.readSSHNameList() == ["zlib"])
        #expect(try written.readSSHNameList() == ["zlib", "none"])
    }

    static let malformedNameLists: [(bytes: [UInt8], code: WireError.Code)] = [
        (sshString(","), .invalidNameList),
        (sshString("a,"), .invalidNameList),
        (sshString(",a"), .invalidNameList),
        (sshString("a,,b"), .invalidNameList),
        (sshString("a b"), .invalidNameList),
        (sshString("a\u{7}"), .invalidNameList),
        (sshString("é"), .invalidNameList),
        (sshString([0x61, 0x00]), .invalidNameList),
        (sshString([0x61, 0x7F]), .invalidNameList),
        (be32(10) + Array("abc".utf8), .lengthTooLarge),
        ([0, 0], .truncated),
    ]

    @Test(arguments: 0..<11)
    func malformedNameListsThrow(index: Int) {
        let example = Self.malformedNameLists[index]
        var wire = buffer(example.bytes)
        #expect(wireErrorCode { () throws(WireError) in try wire.readSSHNameList() } == example.code)
        #expect(wire.readerIndex == 0)
    }

    @Test func integersAndBooleans() throws {
        var written = ByteBuffer()
        written.writeSSHByte(0xAB)
        written.writeSSHBoolean(true)
        written.writeSSHBoolean(false)
        written.writeSSHUInt32(0x2961_65B2)
        written.writeSSHUInt64(0x0102_0304_0506_0708)
        written.writeBytes([0x07])
        #expect(hexString(written) == "ab0100" + "296165b2" + "0102030405060708" + "07")
        #expect(try written.readSSHByte() == 0xAB)
        #expect(try written.readSSHBoolean() == true)
        #expect(try written.readSSHBoolean() == false)
        #expect(try written.readSSHUInt32() == 0x2961_65B2)
        #expect(try written.readSSHUInt64() == 0x0102_0304_0506_0708)
        #expect(try written.readSSHBoolean() == true, "any nonzero byte is TRUE (RFC 4251 §5)")
    }

    @Test(arguments: 0..<8)
    func truncatedIntegersThrowWithoutMoving(length: Int) {
        var wire = buffer([UInt8](repeating: 0xFF, count: length))
        if length < 8 {
            #expect(wireErrorCode { () throws(WireError) in try wire.readSSHUInt64() } == .truncated)
        }
        if length < 4 {
            #expect(wireErrorCode { () throws(WireError) in try wire.readSSHUInt32() } == .truncated)
        }
        if length < 1 {
            #expect(wireErrorCode { () throws(WireError) in try wire.readSSHByte() } == .truncated)
            #expect(wireErrorCode { () throws(WireError) in try wire.readSSHBoolean() } == .truncated)
        }
        #expect(wire.readerIndex == 0)
    }

    @Test func stringsAreSlicesAndLengthsAreCheckedFirst() throws {
        var wire = buffer(sshString("hello") + [0xAA])
        let slice = try wire.readSSHString()
        #expect(String(buffer: slice) == "hello")
        #expect(wire.readableBytes == 1)

        for bad in [be32(6) + Array("hello".utf8), [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFE, 0]] {
            var wire = buffer(bad)
            #expect(wireErrorCode { () throws(WireError) in try wire.readSSHString() } == .lengthTooLarge)
            #expect(wire.readerIndex == 0)
        }
        var short = buffer([0, 0, 1])
        #expect(wireErrorCode { () throws(WireError) in try short.readSSHString() } == .truncated)
    }

    @Test func utf8StringsMustBeUTF8() throws {
        var wire = buffer(sshString("grüße"))
        #expect(try wire.readSSHUTF8String() == "grüße")
        var bad = buffer(sshString([0x66, 0xC3, 0x28]))
        #expect(wireErrorCode { () throws(WireError) in try bad.readSSHUTF8String() } == .invalidUTF8)
        #expect(bad.readerIndex == 0)
    }

    @Test func nestedStringsFillInTheirLength() throws {
        var written = ByteBuffer()
        let count = written.writeSSHString { inner in
            inner.writeSSHString("ssh-ed25519")
            inner.writeSSHUInt32(7)
        }
        #expect(count == 4 + 15 + 4)
        var outer = try written.readSSHString()
        #expect(try outer.readSSHUTF8String() == "ssh-ed25519")
        #expect(try outer.readSSHUInt32() == 7)
        #expect(outer.readableBytes == 0)
    }

    @Test func stringWritersAgree() {
        var fromString = ByteBuffer()
        var fromBytes = ByteBuffer()
        var fromBuffer = ByteBuffer()
        fromString.writeSSHString("abc")
        fromBytes.writeSSHString([UInt8]("abc".utf8))
        fromBuffer.writeSSHString(ByteBuffer(string: "abc"))
        #expect(fromString == fromBytes)
        #expect(fromBytes == fromBuffer)
        #expect(hexString(fromString) == "00000003616263")
    }
}
