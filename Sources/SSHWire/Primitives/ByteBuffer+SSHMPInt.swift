import NIOCore

// RFC 4251 §5: mpint, a two's-complement integer in a string, with no superfluous leading bytes.

extension ByteBuffer {
    /// Reads an `mpint` (RFC 4251 §5) and returns its two's-complement bytes as on the wire (a slice).
    ///
    /// Zero is the empty string. A leading 0x00 not needed for the sign (0x00 followed by a byte
    /// below 0x80, or a lone 0x00) and a leading 0xFF not needed for the sign (0xFF followed by a byte
    /// of 0x80 or above) throw `.nonMinimalMPInt`.
    public mutating func readSSHMPInt() throws(WireError) -> ByteBuffer {
        try rewindingOnError { buffer throws(WireError) in
            let bytes = try buffer.readSSHString()
            try Self.checkMinimalMPInt(bytes)
            return bytes
        }
    }

    /// Reads an `mpint` (RFC 4251 §5) that must not be negative and returns its magnitude, big-endian,
    /// without the sign byte. Zero is the empty buffer.
    public mutating func readSSHUnsignedMPInt() throws(WireError) -> ByteBuffer {
        try rewindingOnError { buffer throws(WireError) in
            var bytes = try buffer.readSSHMPInt()
            guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return bytes }
            guard first & 0x80 == 0 else { throw WireError(.negativeMPInt, "mpint is negative") }
            if first == 0 { bytes.moveReaderIndex(forwardBy: 1) }
            return bytes
        }
    }

    /// Writes a non-negative integer given as big-endian magnitude bytes as an `mpint` (RFC 4251 §5):
    /// leading zeros are dropped and a 0x00 is added when the top bit is set.
    @discardableResult
    public mutating func writeSSHMPInt(unsignedBigEndian magnitude: some Collection<UInt8>) -> Int {
        let significant = magnitude.drop(while: { $0 == 0 })
        return writeSSHString { buffer in
            if let first = significant.first, first & 0x80 != 0 { buffer.writeInteger(UInt8(0)) }
            buffer.writeBytes(significant)
        }
    }

    /// Writes two's-complement big-endian bytes as an `mpint` (RFC 4251 §5), dropping leading
    /// 0x00 and 0xFF bytes the sign does not need. An empty collection is zero.
    @discardableResult
    public mutating func writeSSHMPInt(twosComplement bytes: some Collection<UInt8>) -> Int {
        var start = bytes.startIndex
        while start != bytes.endIndex {
            let next = bytes.index(after: start)
            let byte = bytes[start]
            if byte == 0, next == bytes.endIndex || bytes[next] & 0x80 == 0 {
                start = next
            } else if byte == 0xFF, next != bytes.endIndex, bytes[next] & 0x80 != 0 {
                start = next
            } else {
                break
            }
        }
        return writeSSHString(bytes[start...])
    }

    /// Throws `.nonMinimalMPInt` unless `bytes` is the shortest two's-complement form (RFC 4251 §5).
    static func checkMinimalMPInt(_ bytes: ByteBuffer) throws(WireError) {
        guard let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self) else { return }
        let second = bytes.getInteger(at: bytes.readerIndex + 1, as: UInt8.self)
        switch (first, second) {
        case (0x00, nil):
            throw WireError(.nonMinimalMPInt, "mpint zero must be the empty string")
        case (0x00, .some(let next)) where next & 0x80 == 0:
            throw WireError(.nonMinimalMPInt, "mpint has a superfluous leading 0x00")
        case (0xFF, .some(let next)) where next & 0x80 != 0:
            throw WireError(.nonMinimalMPInt, "mpint has a superfluous leading 0xFF")
        default:
            return
        }
    }
}
