import NIOCore
import SSHWire
import Testing

/// Every truncation and every single-bit flip of every sample's encoding decodes to a typed error or a
/// valid value: never a trap, never an allocation out of proportion to the input.
@Suite struct MutationSweepTests {
    /// Decodes `payload` as `Message` and re-encodes it, or returns the error.
    func decodeAndReencode<Message: SSHMessage>(_ payload: ByteBuffer, as _: Message.Type) -> Result<
        ByteBuffer, WireError
    > {
        do throws(WireError) {
            return .success(try Message(decodingPayload: payload).encodedPayload())
        } catch {
            return .failure(error)
        }
    }

    func dispatchAndReencode(_ payload: ByteBuffer, _ range: SampleRange) -> Result<ByteBuffer, WireError> {
        do throws(WireError) {
            var out = ByteBuffer()
            try range.decode(payload).encode(into: &out)
            return .success(out)
        } catch {
            return .failure(error)
        }
    }

    /// Returns a description of every mutation whose outcome broke the rules (checked once, outside the loop).
    /// `bitsPerByte` below 8 flips bits `index % 8` onwards only, to keep long encodings fast.
    func sweep(_ message: some SSHMessage, range: SampleRange, bitsPerByte: Int = 8) -> [String] {
        var problems: [String] = []
        let encoded = Array(message.encodedPayload().readableBytesView)
        for length in 0..<encoded.count {
            let truncated = ByteBuffer(bytes: encoded[..<length])
            for result in [decodeAndReencode(truncated, as: type(of: message)), dispatchAndReencode(truncated, range)] {
                // A shorter input may only decode if it is itself a canonical message (e.g. raw trailing data).
                if case .success(let reencoded) = result, reencoded != truncated {
                    problems.append("truncation to \(length) decoded to \(hexString(reencoded))")
                }
            }
        }
        var flipped = ByteBuffer(bytes: encoded)
        for index in encoded.indices {
            for step in 0..<bitsPerByte {
                let bit = (index + step) % 8
                flipped.setInteger(encoded[index] ^ (1 << bit), at: index)
                for result in [decodeAndReencode(flipped, as: type(of: message)), dispatchAndReencode(flipped, range)] {
                    // Booleans and the end marker of terminal modes may be normalized; nothing grows more.
                    if case .success(let reencoded) = result, reencoded.readableBytes > flipped.readableBytes + 1 {
                        problems.append("flip of bit \(bit) at \(index) grew to \(reencoded.readableBytes) bytes")
                    }
                }
            }
            flipped.setInteger(encoded[index], at: index)
        }
        return problems
    }

    @Test(arguments: Samples.all)
    func everyTruncationAndBitFlipIsHandled(sample: Sample) {
        #expect(sweep(sample.message, range: sample.range) == [])
    }

    /// Every truncation; one bit flipped per byte, cycling through the bit positions (the sample table's
    /// KEXINIT gets all eight).
    @Test func theRealOpenSSHKexInitSurvivesTheSweep() throws {
        let message = try KexInitMessage(decodingPayload: buffer(hex(GoldenTests.openSSH92KexInitHex)))
        #expect(sweep(message, range: .transport, bitsPerByte: 1) == [])
    }

    @Test func hugeCountsFailBeforeAllocating() {
        let cases: [(bytes: [UInt8], range: SampleRange)] = [
            ([7] + be32(0xFFFF_FFFF), .transport),
            ([7] + be32(2) + sshString("a") + sshString("b"), .transport),
            ([61] + be32(0x4000_0000) + sshString("x"), .userAuth(.keyboardInteractive)),
            ([60] + sshString("") + sshString("") + sshString("") + be32(0xFFFF_FFFF), .userAuth(.keyboardInteractive)),
            (
                [50] + sshString("u") + sshString("s") + sshString("gssapi-with-mic") + be32(0x7FFF_FFFF),
                .userAuth(.none)
            ),
        ]
        for (index, item) in cases.enumerated() {
            let code = wireErrorCode { () throws(WireError) in try item.range.decode(buffer(item.bytes)) }
            #expect(code == .lengthTooLarge || code == .truncated, "case \(index)")
        }
    }
}
