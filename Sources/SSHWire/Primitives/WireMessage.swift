import NIOCore

/// A builder and reader of SSH fields over a `ByteBuffer`: the shape of paramiko's `Message`.
///
/// Use it for custom messages and extensions that have no typed value here. Writers append
/// RFC 4251 §5 types; readers consume them and throw ``WireError`` on malformed input without
/// moving past the field that failed.
public struct WireMessage: Hashable, Sendable {
    /// The bytes: written fields are appended, read fields consumed.
    public var buffer: ByteBuffer

    /// An empty message to build.
    public init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.buffer = allocator.buffer(capacity: 64)
    }

    /// A message to read from (or append to) `buffer`.
    public init(_ buffer: ByteBuffer) {
        self.buffer = buffer
    }

    /// A message to read from `bytes`.
    public init(bytes: some Collection<UInt8>) {
        self.buffer = ByteBuffer(bytes: bytes)
    }

    /// The bytes not yet read.
    public var remainingBytes: Int { buffer.readableBytes }

    /// The unread bytes as an array (paramiko's `asbytes()`).
    public var bytes: [UInt8] { Array(buffer.readableBytesView) }

    // MARK: Building (RFC 4251 §5)

    /// Appends a `byte`.
    public mutating func add(byte: UInt8) { buffer.writeSSHByte(byte) }
    /// Appends a `boolean`.
    public mutating func add(boolean: Bool) { buffer.writeSSHBoolean(boolean) }
    /// Appends a `uint32`.
    public mutating func add(uint32: UInt32) { buffer.writeSSHUInt32(uint32) }
    /// Appends a `uint64`.
    public mutating func add(uint64: UInt64) { buffer.writeSSHUInt64(uint64) }
    /// Appends a `string` of raw bytes.
    public mutating func add(string: some Collection<UInt8>) { buffer.writeSSHString(string) }
    /// Appends a `string` holding the readable bytes of `string`.
    public mutating func add(string: ByteBuffer) { buffer.writeSSHString(string) }
    /// Appends a `string` holding the UTF-8 of `string`.
    public mutating func add(string: String) { buffer.writeSSHString(string) }
    /// Appends a non-negative `mpint` given as big-endian magnitude bytes.
    public mutating func add(mpint magnitude: some Collection<UInt8>) {
        buffer.writeSSHMPInt(unsignedBigEndian: magnitude)
    }
    /// Appends a `name-list`.
    public mutating func add(nameList: [String]) { buffer.writeSSHNameList(nameList) }
    /// Appends raw bytes with no length prefix.
    public mutating func add(rawBytes: some Collection<UInt8>) { buffer.writeBytes(rawBytes) }

    // MARK: Reading (RFC 4251 §5)

    /// Reads a `byte`.
    public mutating func readByte() throws(WireError) -> UInt8 { try buffer.readSSHByte() }
    /// Reads a `boolean` (nonzero is true).
    public mutating func readBoolean() throws(WireError) -> Bool { try buffer.readSSHBoolean() }
    /// Reads a `uint32`.
    public mutating func readUInt32() throws(WireError) -> UInt32 { try buffer.readSSHUInt32() }
    /// Reads a `uint64`.
    public mutating func readUInt64() throws(WireError) -> UInt64 { try buffer.readSSHUInt64() }
    /// Reads a `string` as a slice.
    public mutating func readString() throws(WireError) -> ByteBuffer { try buffer.readSSHString() }
    /// Reads a `string` as UTF-8 text.
    public mutating func readUTF8String() throws(WireError) -> String { try buffer.readSSHUTF8String() }
    /// Reads an `mpint` as two's-complement bytes.
    public mutating func readMPInt() throws(WireError) -> ByteBuffer { try buffer.readSSHMPInt() }
    /// Reads a non-negative `mpint` as its magnitude.
    public mutating func readUnsignedMPInt() throws(WireError) -> ByteBuffer { try buffer.readSSHUnsignedMPInt() }
    /// Reads a `name-list`.
    public mutating func readNameList() throws(WireError) -> [String] { try buffer.readSSHNameList() }
    /// Reads every remaining byte.
    public mutating func readRemainingBytes() -> ByteBuffer { buffer.readSlice(length: buffer.readableBytes) ?? buffer }
    /// Throws `.trailingBytes` unless everything has been read.
    public func expectEnd() throws(WireError) { try buffer.expectSSHEnd(of: "message") }
}
