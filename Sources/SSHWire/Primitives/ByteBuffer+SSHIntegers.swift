import NIOCore

// RFC 4251 §5: byte, boolean, uint32 and uint64.

extension ByteBuffer {
    /// Reads a `byte` (RFC 4251 §5). Leaves the reader index alone on failure.
    public mutating func readSSHByte() throws(WireError) -> UInt8 {
        guard let value = readInteger(as: UInt8.self) else { throw WireError(.truncated, "byte: no bytes left") }
        return value
    }

    /// Reads a `boolean` (RFC 4251 §5): any nonzero byte is TRUE, as the RFC asks of readers.
    public mutating func readSSHBoolean() throws(WireError) -> Bool {
        guard let value = readInteger(as: UInt8.self) else { throw WireError(.truncated, "boolean: no bytes left") }
        return value != 0
    }

    /// Reads a big-endian `uint32` (RFC 4251 §5).
    public mutating func readSSHUInt32() throws(WireError) -> UInt32 {
        guard let value = readInteger(endianness: .big, as: UInt32.self) else {
            throw WireError(.truncated, "uint32: \(readableBytes) of 4 bytes left")
        }
        return value
    }

    /// Reads a big-endian `uint64` (RFC 4251 §5).
    public mutating func readSSHUInt64() throws(WireError) -> UInt64 {
        guard let value = readInteger(endianness: .big, as: UInt64.self) else {
            throw WireError(.truncated, "uint64: \(readableBytes) of 8 bytes left")
        }
        return value
    }

    /// Writes a `byte` (RFC 4251 §5) and returns the number of bytes written.
    @discardableResult
    public mutating func writeSSHByte(_ value: UInt8) -> Int {
        writeInteger(value)
    }

    /// Writes a `boolean` (RFC 4251 §5) as 0 or 1.
    @discardableResult
    public mutating func writeSSHBoolean(_ value: Bool) -> Int {
        writeInteger(value ? UInt8(1) : UInt8(0))
    }

    /// Writes a big-endian `uint32` (RFC 4251 §5).
    @discardableResult
    public mutating func writeSSHUInt32(_ value: UInt32) -> Int {
        writeInteger(value, endianness: .big)
    }

    /// Writes a big-endian `uint64` (RFC 4251 §5).
    @discardableResult
    public mutating func writeSSHUInt64(_ value: UInt64) -> Int {
        writeInteger(value, endianness: .big)
    }
}
