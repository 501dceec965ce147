import NIOCore

/// Cuts an inbound byte stream into SFTP frames (draft-ietf-secsh-filexfer-02 §3: `uint32 length` then the body).
///
/// The length is checked before anything is buffered for it: a frame longer than
/// ``SFTPPacket/maximumFrameLength`` or of length 0 is a ``SFTPError/Code/badMessage``. Frames are slices
/// of the buffered bytes; a chunk that arrives when nothing is buffered is adopted without copying.
public struct SFTPFramer: Sendable {
    private var buffer = ByteBuffer()
    private let maximumFrameLength: Int

    /// A framer accepting frames up to `maximumFrameLength` bytes.
    public init(maximumFrameLength: Int = SFTPPacket.maximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Adds received bytes.
    public mutating func append(_ chunk: ByteBuffer) {
        if buffer.readableBytes == 0 {
            buffer = chunk
        } else {
            buffer.writeImmutableBuffer(chunk)
        }
    }

    /// The next whole frame's body (type byte onwards), or nil until more bytes arrive.
    public mutating func nextFrame() throws(SFTPError) -> ByteBuffer? {
        guard let frame = try Self.nextFrame(in: &buffer, maximumFrameLength: maximumFrameLength) else {
            if let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self),
                buffer.writableBytes < 4 + Int(length) - buffer.readableBytes
            {
                buffer.discardReadBytes()
                buffer.reserveCapacity(minimumWritableBytes: 4 + Int(length) - buffer.readableBytes)
            }
            return nil
        }
        if buffer.readableBytes == 0 { buffer = ByteBuffer() }
        return frame
    }

    /// Takes the next whole frame's body from the front of `buffer`, or returns nil and leaves `buffer` as it
    /// is until more bytes arrive. For readers that read straight into their own buffer.
    static func nextFrame(in buffer: inout ByteBuffer, maximumFrameLength: Int) throws(SFTPError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        guard length > 0, UInt64(length) <= UInt64(maximumFrameLength) else {
            throw SFTPError(.badMessage, "frame length \(length) outside 1…\(maximumFrameLength)")
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        // The length was checked against the readable bytes just above.
        return buffer.readSlice(length: Int(length)) ?? ByteBuffer()
    }
}
