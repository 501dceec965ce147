import NIOCore
import SSHCrypto
import SSHWire

extension ByteBuffer {
    /// `withUnsafeMutableReadableBytes` that keeps a closure's typed error.
    mutating func withMutableReadableBytes<Result, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = withUnsafeMutableReadableBytes { bytes in
            Swift.Result { () throws(Failure) in try body(bytes) }
        }
        return try outcome.get()
    }

    /// `withUnsafeReadableBytes` that keeps a closure's typed error.
    func withReadableBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = withUnsafeReadableBytes { bytes in
            Swift.Result { () throws(Failure) in try body(bytes) }
        }
        return try outcome.get()
    }
}

extension TransportError {
    /// Maps a packet protection failure: a bad tag is a MAC error, anything else a protocol error.
    init(_ error: CryptoError) {
        if error.code == .authenticationFailed {
            self.init(.macError, "corrupted MAC on input: \(error.detail)")
        } else {
            self.init(.protocolError, "packet protection failed: \(error.detail)")
        }
    }
}

/// Reads binary packets (RFC 4253 §6) from received bytes: learns the length, checks it against
/// the limits before waiting for or reserving anything, then verifies and decrypts.
///
/// A protected packet is opened in place in the received bytes, and its payload handed on is a slice of
/// them: no copy. The bytes are written through a pointer, without ByteBuffer's copy-on-write, because
/// the only other holders of that storage are earlier payloads (slices of bytes already opened, which
/// are never touched again) and NIO's receive-buffer pool (which reuses a buffer only once nobody else
/// holds it). A copy-on-write here would copy the whole receive buffer for every packet.
struct PacketDecoder {
    var protection: (any PacketProtection)?
    var sequenceNumber: UInt32 = 0
    /// Packets read since the last key change, for rekey accounting.
    var bytesSinceKeyChange: UInt64 = 0
    private var pendingLength: Int?
    /// The first bytes of the pending packet as ``PacketProtection/decryptLength(_:sequenceNumber:)`` left them.
    private var pendingHead: [UInt8] = []

    private var alignment: PacketAlignment {
        guard let protection else { return .unencrypted }
        return PacketAlignment(blockSize: protection.blockSize, excludesLengthField: protection.lengthExcludedFromAlignment)
    }

    /// Installs new keys after NEWKEYS.
    mutating func install(_ protection: any PacketProtection, resetSequence: Bool) {
        self.protection = protection
        bytesSinceKeyChange = 0
        if resetSequence { sequenceNumber = 0 }
    }

    /// How many bytes beyond the `buffered` ones complete the packet being read; nil until its
    /// length is known (``next(from:)`` found fewer bytes than its first block).
    func bytesToComplete(buffered: Int) -> Int? {
        guard let pendingLength else { return nil }
        return 4 + pendingLength + (protection?.tagLength ?? 0) - buffered
    }

    /// The next payload in `buffer`, or nil when more bytes are needed. The returned sequence
    /// number is the packet's own.
    mutating func next(from buffer: inout ByteBuffer) throws(TransportError) -> (payload: ByteBuffer, sequence: UInt32)?
    {
        if pendingLength == nil {
            let peek = protection?.lengthPeekSize ?? 4
            guard buffer.readableBytes >= peek else { return nil }
            let length: UInt32
            if let protection {
                let sequence = sequenceNumber
                // The head's storage is kept from packet to packet: no allocation per packet.
                pendingHead.removeAll(keepingCapacity: true)
                pendingHead.append(contentsOf: buffer.readableBytesView.prefix(peek))
                let decrypted: Result<UInt32, CryptoError> = pendingHead.withUnsafeMutableBytes { bytes in
                    Result { () throws(CryptoError) in try protection.decryptLength(bytes, sequenceNumber: sequence) }
                }
                switch decrypted {
                case .success(let value): length = value
                case .failure(let error): throw TransportError(error)
                }
            } else {
                length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) ?? 0
            }
            guard length <= UInt32(SSHPacket.maximumPacketLength) else {
                throw TransportError(.packetTooLarge, "packet length \(length) exceeds \(SSHPacket.maximumPacketLength)")
            }
            do {
                try SSHPacket.validatePacketLength(length, alignment: alignment)
            } catch {
                throw TransportError(.protocolError, "bad packet length: \(error.detail)")
            }
            pendingLength = Int(length)
        }
        guard let length = pendingLength else { return nil }
        let tag = protection?.tagLength ?? 0
        let total = 4 + length + tag
        guard buffer.readableBytes >= total else { return nil }
        if let protection {
            let sequence = sequenceNumber
            let opened: Result<Void, CryptoError> = buffer.withUnsafeReadableBytes { received in
                let packet = UnsafeMutableRawBufferPointer(
                    mutating: UnsafeRawBufferPointer(rebasing: received[..<total]))
                // The head goes back as decryptLength left it, which is what openPacket expects.
                pendingHead.withUnsafeBytes { packet.copyMemory(from: $0) }
                return Result { () throws(CryptoError) in try protection.openPacket(packet, sequenceNumber: sequence) }
            }
            if case .failure(let error) = opened { throw TransportError(error) }
        }
        guard let packet = buffer.readSlice(length: total) else { return nil }
        pendingLength = nil
        let sequence = sequenceNumber
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(total)
        guard let padding = packet.getInteger(at: packet.readerIndex + 4, as: UInt8.self),
            padding >= SSHPacket.minimumPaddingLength, Int(padding) < length
        else {
            throw TransportError(.protocolError, "bad padding length in a packet of \(length) bytes")
        }
        let payloadLength = length - 1 - Int(padding)
        guard let payload = packet.getSlice(at: packet.readerIndex + 5, length: payloadLength) else {
            throw TransportError(.protocolError, "payload beyond the packet")
        }
        return (payload, sequence)
    }
}

/// Writes binary packets: frame, pad, then seal in place in the outbound buffer (a payload's
/// body given apart is encrypted from where it lies into the packet).
struct PacketEncoder {
    var protection: (any PacketProtection)?
    var sequenceNumber: UInt32 = 0
    var bytesSinceKeyChange: UInt64 = 0

    /// Installs new keys after sending NEWKEYS.
    mutating func install(_ protection: any PacketProtection, resetSequence: Bool) {
        self.protection = protection
        bytesSinceKeyChange = 0
        if resetSequence { sequenceNumber = 0 }
    }

    /// Frames and protects one payload into `out`; returns the sequence number used.
    @discardableResult
    mutating func encode(
        into out: inout ByteBuffer, random: inout some SSHRandomSource, payload: (inout ByteBuffer) -> Void
    ) throws(TransportError) -> UInt32 {
        try encode(into: &out, random: &random, gap: nil, payload: payload)
    }

    /// Frames and protects a payload given in two parts. With keys in place the body is not
    /// copied into the packet: its bytes are left as a gap that the cipher fills as it encrypts
    /// them from the body itself
    /// (``PacketProtection/sealPacket(_:filling:from:sequenceNumber:)``).
    @discardableResult
    mutating func encode(into out: inout ByteBuffer, random: inout some SSHRandomSource, payload: SplitPayload)
        throws(TransportError) -> UInt32
    {
        guard protection != nil, payload.body.readableBytes > 0 else {
            return try encode(into: &out, random: &random, gap: nil) { packet in
                packet.writeImmutableBuffer(payload.head)
                packet.writeImmutableBuffer(payload.body)
            }
        }
        return try encode(into: &out, random: &random, gap: payload.body) { packet in
            packet.writeImmutableBuffer(payload.head)
        }
    }

    /// Frames `payload`, followed by room for `gap`'s bytes when there is one, pads, and seals.
    private mutating func encode(
        into out: inout ByteBuffer, random: inout some SSHRandomSource, gap: ByteBuffer?,
        payload: (inout ByteBuffer) -> Void
    ) throws(TransportError) -> UInt32 {
        let alignment =
            protection.map {
                PacketAlignment(blockSize: $0.blockSize, excludesLengthField: $0.lengthExcludedFromAlignment)
            } ?? .unencrypted
        let start = out.writerIndex
        var gapOffset = 0
        do {
            try SSHPacket.write(into: &out, alignment: alignment, padding: &random) { packet in
                payload(&packet)
                guard let gap else { return }
                gapOffset = packet.writerIndex - start
                // Room for the gap, the padding and the tag; the gap's bytes are written by the cipher.
                packet.reserveCapacity(
                    minimumWritableBytes: gap.readableBytes + SSHPacket.maximumPaddingLength + 64)
                packet.moveWriterIndex(forwardBy: gap.readableBytes)
            }
        } catch {
            throw TransportError(.protocolError, "cannot frame an outbound packet: \(error.detail)")
        }
        let sequence = sequenceNumber
        if let protection {
            out.writeRepeatingByte(0, count: protection.tagLength)
            let offset = start - out.readerIndex
            let end = out.writerIndex - out.readerIndex
            do {
                try out.withMutableReadableBytes { bytes throws(CryptoError) in
                    let packet = UnsafeMutableRawBufferPointer(rebasing: bytes[offset..<end])
                    guard let gap else { return try protection.sealPacket(packet, sequenceNumber: sequence) }
                    try gap.withReadableBytes { data throws(CryptoError) in
                        try protection.sealPacket(packet, filling: gapOffset, from: data, sequenceNumber: sequence)
                    }
                }
            } catch {
                out.moveWriterIndex(to: start)
                throw TransportError(.protocolError, "cannot protect an outbound packet: \(error.detail)")
            }
        }
        sequenceNumber &+= 1
        bytesSinceKeyChange &+= UInt64(out.writerIndex - start)
        return sequence
    }
}
