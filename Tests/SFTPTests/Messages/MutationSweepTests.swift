import NIOCore
import SFTP
import SSHWire
import Testing

/// Every truncation and every single-bit flip of every sample decodes to a typed error or to a value that
/// re-encodes to exactly the bytes given: never a trap, never a value larger than its input.
@Suite struct MutationSweepTests {
    func decode(_ bytes: [UInt8]) -> Result<[UInt8], WireError> {
        do throws(WireError) {
            return .success(try SFTPPacket(decoding: ByteBuffer(bytes: bytes)).bodyBytes)
        } catch {
            return .failure(error)
        }
    }

    func problems(_ encoded: [UInt8]) -> [String] {
        var problems: [String] = []
        for length in 0..<encoded.count {
            let truncated = Array(encoded[..<length])
            if case .success(let reencoded) = decode(truncated), reencoded != truncated {
                problems.append("truncation to \(length) decoded to \(reencoded.count) bytes")
            }
        }
        var flipped = encoded
        for index in encoded.indices {
            for bit in 0..<8 {
                flipped[index] = encoded[index] ^ (1 << bit)
                if case .success(let reencoded) = decode(flipped), reencoded != flipped {
                    problems.append("flip of bit \(bit) at \(index) decoded to \(reencoded.count) bytes")
                }
            }
            flipped[index] = encoded[index]
        }
        return problems
    }

    @Test(arguments: PacketSamples.all)
    func everyTruncationAndBitFlipIsHandled(packet: SFTPPacket) {
        #expect(problems(packet.bodyBytes) == [])
    }

    @Test func extendedRepliesRefuseEveryTruncation() {
        let replies: [(ByteBuffer, (ByteBuffer) throws(WireError) -> Void)] = [
            (PacketSamples.sampleLimits.encoded(), { b throws(WireError) in _ = try SFTPLimits(decoding: b) }),
            (PacketSamples.sampleStats.encoded(), { b throws(WireError) in _ = try SFTPFileSystemStats(decoding: b) }),
            (PacketSamples.sampleNames.encoded(), { b throws(WireError) in _ = try SFTPUserGroupNames(decoding: b) }),
        ]
        for (encoded, decode) in replies {
            for length in 0..<encoded.readableBytes {
                var failed = false
                do throws(WireError) { try decode(encoded.getSlice(at: 0, length: length)!) } catch { failed = true }
                #expect(failed, "truncation to \(length)")
            }
        }
    }

    func code(_ bytes: [UInt8]) -> WireError.Code? {
        if case .failure(let error) = decode(bytes) { return error.code }
        return nil
    }

    @Test func hugeCountsFailBeforeAllocating() {
        // NAME claiming 2^32-1 entries, ATTRS claiming 2^31 extended pairs, a 4 GiB string.
        #expect(code([104, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) == .lengthTooLarge)
        #expect(code([105, 0, 0, 0, 1, 0x80, 0, 0, 0, 0x80, 0, 0, 0]) == .lengthTooLarge)
        #expect(code([103, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE, 1, 2, 3]) == .lengthTooLarge)
        #expect(code([2, 0, 0, 0, 3, 0x7F, 0xFF, 0xFF, 0xFF]) == .lengthTooLarge)
    }

    @Test func malformedFieldsAreTypedErrors() {
        // A handle of 257 bytes.
        #expect(code([4, 0, 0, 0, 1, 0, 0, 1, 1] + [UInt8](repeating: 0, count: 257)) == .lengthTooLarge)
        // ATTRS with an undefined flag bit.
        #expect(code([105, 0, 0, 0, 1, 0, 0, 0, 0x10]) == .invalidValue)
        // users-groups-by-id with an id list of 3 bytes.
        var request = ByteBuffer()
        SFTPPacket.request(id: 1, .extended(.usersGroupsByID(uids: [1], gids: []))).encode(into: &request)
        var bytes = Array(request.readableBytesView)
        let nameEnd = 1 + 4 + 4 + SFTPExtensionName.usersGroupsByID.utf8.count
        bytes[nameEnd + 3] = 3
        bytes.remove(at: nameEnd + 4)
        #expect(code(bytes) == .invalidValue)
        // A path that is not UTF-8; an unknown packet type; trailing bytes.
        #expect(code([17, 0, 0, 0, 1, 0, 0, 0, 1, 0xFF]) == .invalidUTF8)
        #expect(code([99, 0, 0, 0, 1]) == .unknownMessage)
        #expect(code([17, 0, 0, 0, 1, 0, 0, 0, 1, 0x41, 0]) == .trailingBytes)
    }
}
