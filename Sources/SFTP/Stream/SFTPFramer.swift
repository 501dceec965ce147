import NIOCore

/// Cuts an inbound byte stream into SFTP frames (draft-ietf-secsh-filexfer-02 §3: `uint32 length` then the body).
///
/// The length is checked before anything is buffered for it: a frame longer than
/// ``SFTPPacket/maximumFrameLength`` or of length 0 is a ``SFTPError/Code/badMessage``. Received chunks are
/// kept as they came, never copied while a frame gathers: a frame inside one chunk is a slice of it, and a
/// frame spread over several is joined once when ``nextFrame()`` returns it, or handed over as its pieces
/// by ``nextFramePieces()``.
public struct SFTPFramer: Sendable {
    /// Received bytes not yet returned as a frame, in order; none of them empty.
    private var pieces: [ByteBuffer] = []
    private var buffered = 0
    private let maximumFrameLength: Int

    /// A framer accepting frames up to `maximumFrameLength` bytes.
    public init(maximumFrameLength: Int = SFTPPacket.maximumFrameLength) {
        self.maximumFrameLength = maximumFrameLength
    }

    /// Bytes received but not yet returned as a frame.
    public var bufferedBytes: Int { buffered }

    /// Adds received bytes.
    public mutating func append(_ chunk: ByteBuffer) {
        guard chunk.readableBytes > 0 else { return }
        pieces.append(chunk)
        buffered += chunk.readableBytes
    }

    /// The next whole frame's body (type byte onwards), or nil until more bytes arrive.
    public mutating func nextFrame() throws(SFTPError) -> ByteBuffer? {
        try nextFramePieces().map(Self.joined)
    }

    /// The next whole frame's body as the slices of the received chunks it spans, in order; nil until more
    /// bytes arrive.
    mutating func nextFramePieces() throws(SFTPError) -> [ByteBuffer]? {
        guard buffered >= 4 else { return nil }
        let length: UInt32
        if let first = pieces.first, let whole = first.getInteger(at: first.readerIndex, endianness: .big, as: UInt32.self) {
            length = whole
        } else {
            var head = Self.joined(prefix(4))
            length = head.readInteger(endianness: .big, as: UInt32.self) ?? 0
        }
        guard length > 0, UInt64(length) <= UInt64(maximumFrameLength) else {
            throw SFTPError(.badMessage, "frame length \(length) outside 1…\(maximumFrameLength)")
        }
        guard buffered >= 4 + Int(length) else { return nil }
        _ = take(4)
        return take(Int(length))
    }

    /// The first `count` buffered bytes as slices, left in place.
    private func prefix(_ count: Int) -> [ByteBuffer] {
        var copy = pieces
        return Self.take(count, from: &copy)
    }

    /// Removes and returns the first `count` buffered bytes (at most ``bufferedBytes``) as slices.
    private mutating func take(_ count: Int) -> [ByteBuffer] {
        let taken = Self.take(count, from: &pieces)
        buffered -= taken.reduce(0) { $0 + $1.readableBytes }
        return taken
    }

    /// Removes and returns the first `count` bytes of `pieces` (or all there are) as slices.
    static func take(_ count: Int, from pieces: inout [ByteBuffer]) -> [ByteBuffer] {
        var taken: [ByteBuffer] = []
        var remaining = count
        var used = 0
        while remaining > 0, used < pieces.count {
            let available = pieces[used].readableBytes
            if available <= remaining {
                taken.append(pieces[used])
                remaining -= available
                used += 1
            } else {
                // Within the piece's readable bytes: the slice exists.
                taken.append(pieces[used].readSlice(length: remaining) ?? ByteBuffer())
                remaining = 0
            }
        }
        pieces.removeFirst(used)
        return taken
    }

    /// The pieces as one buffer: the only piece itself, or one copy of them all.
    static func joined(_ pieces: [ByteBuffer]) -> ByteBuffer {
        if pieces.count == 1 { return pieces[0] }
        var joined = ByteBuffer()
        joined.reserveCapacity(pieces.reduce(0) { $0 + $1.readableBytes })
        for piece in pieces { joined.writeImmutableBuffer(piece) }
        return joined
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
