import NIOCore

extension SSHPacket {
    /// Lays out a plaintext binary packet (RFC 4253 §6) around the payload that `writePayload` writes
    /// in place, with padding bytes drawn from `generator`. Returns the bytes written.
    ///
    /// The buffer is left unchanged if the payload is too large.
    @discardableResult
    public static func write(
        into buffer: inout ByteBuffer,
        alignment: PacketAlignment,
        padding generator: inout some RandomNumberGenerator,
        payload writePayload: (inout ByteBuffer) -> Void
    ) throws(WireError) -> Int {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(UInt8(0))
        writePayload(&buffer)
        let payloadLength = buffer.writerIndex - start - headerLength
        let padding: Int
        do throws(WireError) {
            padding = try paddingLength(forPayloadLength: payloadLength, alignment: alignment)
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
        var remaining = padding
        while remaining > 0 {
            let word = generator.next() as UInt64
            let count = min(remaining, 8)
            for index in 0..<count { buffer.writeInteger(UInt8(truncatingIfNeeded: word >> (8 * index))) }
            remaining -= count
        }
        // Both fit: the payload was checked against maximumPayloadLength, the padding is ≤ 255.
        buffer.setInteger(UInt32(truncatingIfNeeded: 1 + payloadLength + padding), at: start)
        buffer.setInteger(UInt8(truncatingIfNeeded: padding), at: start + 4)
        return buffer.writerIndex - start
    }

    /// Lays out a plaintext binary packet (RFC 4253 §6) around `payload`. Returns the bytes written.
    @discardableResult
    public static func write(
        payload: ByteBuffer,
        into buffer: inout ByteBuffer,
        alignment: PacketAlignment,
        padding generator: inout some RandomNumberGenerator
    ) throws(WireError) -> Int {
        try write(into: &buffer, alignment: alignment, padding: &generator) { $0.writeImmutableBuffer(payload) }
    }
}
