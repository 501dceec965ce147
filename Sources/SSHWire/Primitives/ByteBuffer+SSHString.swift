import NIOCore

// RFC 4251 §5: string, as raw bytes or as UTF-8 text.

extension ByteBuffer {
    /// Reads a `string` (RFC 4251 §5) as a slice of this buffer; nothing is copied.
    ///
    /// The length is checked against the readable bytes before anything else happens: a length of
    /// 0xFFFFFFFF, or one that runs past the end, throws `.lengthTooLarge`; a missing length, `.truncated`.
    public mutating func readSSHString() throws(WireError) -> ByteBuffer {
        guard let length = getInteger(at: readerIndex, endianness: .big, as: UInt32.self) else {
            throw WireError(.truncated, "string: \(readableBytes) of 4 length bytes left")
        }
        guard length != .max, UInt64(length) <= UInt64(readableBytes - 4) else {
            throw WireError(.lengthTooLarge, "string: length \(length) with \(readableBytes - 4) bytes left")
        }
        guard let slice = getSlice(at: readerIndex + 4, length: Int(length)) else {
            throw WireError(.truncated, "string: body")
        }
        moveReaderIndex(forwardBy: 4 + Int(length))
        return slice
    }

    /// Reads a `string` (RFC 4251 §5) that must hold UTF-8 text (ISO-10646 UTF-8, RFC 4251 §5).
    public mutating func readSSHUTF8String() throws(WireError) -> String {
        try rewindingOnError { buffer throws(WireError) in
            let bytes = try buffer.readSSHString()
            guard let text = String(validating: bytes.readableBytesView, as: UTF8.self) else {
                throw WireError(.invalidUTF8, "string of \(bytes.readableBytes) bytes is not UTF-8")
            }
            return text
        }
    }

    /// Writes a `string` (RFC 4251 §5) from raw bytes and returns the number of bytes written.
    @discardableResult
    public mutating func writeSSHString(_ bytes: some Collection<UInt8>) -> Int {
        writeSSHString { buffer in buffer.writeBytes(bytes) }
    }

    /// Writes the readable bytes of `bytes` as a `string` (RFC 4251 §5).
    @discardableResult
    public mutating func writeSSHString(_ bytes: ByteBuffer) -> Int {
        writeSSHString { buffer in buffer.writeImmutableBuffer(bytes) }
    }

    /// Writes the UTF-8 of `text` as a `string` (RFC 4251 §5).
    @discardableResult
    public mutating func writeSSHString(_ text: String) -> Int {
        writeSSHString { buffer in buffer.writeString(text) }
    }

    /// Writes a `string` (RFC 4251 §5) whose body `body` writes in place; the length is filled in afterwards.
    ///
    /// Use it to nest encodings without building an intermediate buffer. Returns the bytes written,
    /// the 4 length bytes included.
    @discardableResult
    public mutating func writeSSHString<Failure: Error>(
        _ body: (inout ByteBuffer) throws(Failure) -> Void
    ) throws(Failure) -> Int {
        let lengthIndex = writerIndex
        writeInteger(UInt32(0))
        try body(&self)
        let bodyLength = writerIndex - lengthIndex - 4
        // A ByteBuffer never holds more than UInt32.max bytes, so the length always fits.
        setInteger(UInt32(truncatingIfNeeded: bodyLength), at: lengthIndex, endianness: .big)
        return bodyLength + 4
    }

    /// Runs `body`, which reads from this buffer, and puts the reader index back if it throws.
    package mutating func rewindingOnError<Value>(
        _ body: (inout ByteBuffer) throws(WireError) -> Value
    ) throws(WireError) -> Value {
        let start = readerIndex
        do throws(WireError) {
            return try body(&self)
        } catch {
            moveReaderIndex(to: start)
            throw error
        }
    }

    /// Throws `.trailingBytes` unless every byte of a message payload has been read.
    package func expectSSHEnd(of what: @autoclosure () -> String) throws(WireError) {
        guard readableBytes == 0 else {
            throw WireError(.trailingBytes, "\(what()): \(readableBytes) bytes after the last field")
        }
    }
}

extension ByteBuffer {
    /// Reads every remaining byte as a slice: the type-specific data at the end of some messages.
    package mutating func readSSHRemainingBytes() -> ByteBuffer {
        let rest = getSlice(at: readerIndex, length: readableBytes) ?? ByteBuffer()
        moveReaderIndex(to: writerIndex)
        return rest
    }

    /// Reads a count of elements that each take at least `minimumElementSize` bytes, and rejects a
    /// count the remaining bytes could not hold, before anything loops or allocates (RFC 4251 §5 uint32).
    package mutating func readSSHCount(minimumElementSize: Int, of what: String) throws(WireError) -> Int {
        try rewindingOnError { buffer throws(WireError) in
            let count = try buffer.readSSHUInt32()
            guard UInt64(count) * UInt64(minimumElementSize) <= UInt64(buffer.readableBytes) else {
                throw WireError(.lengthTooLarge, "\(what): count \(count) with \(buffer.readableBytes) bytes left")
            }
            return Int(count)
        }
    }
}
