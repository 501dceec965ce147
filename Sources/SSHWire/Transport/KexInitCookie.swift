import NIOCore

/// The 16 random bytes that open `SSH_MSG_KEXINIT` (RFC 4253 §7.1).
public struct KexInitCookie: Hashable, Sendable {
    /// The cookie's first and last eight bytes, big-endian.
    public var high: UInt64
    public var low: UInt64

    /// The number of bytes on the wire.
    public static let byteCount = 16

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh cookie from `generator`.
    public init(using generator: inout some RandomNumberGenerator) {
        self.init(high: generator.next(), low: generator.next())
    }

    /// The cookie as 16 bytes, or nil if `bytes` does not hold exactly 16.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var buffer = ByteBuffer(bytes: bytes)
        guard let high = buffer.readInteger(as: UInt64.self), let low = buffer.readInteger(as: UInt64.self) else {
            return nil
        }
        self.init(high: high, low: low)
    }

    /// The 16 bytes as sent.
    public var bytes: [UInt8] {
        var buffer = ByteBuffer()
        write(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    func write(into buffer: inout ByteBuffer) {
        buffer.writeSSHUInt64(high)
        buffer.writeSSHUInt64(low)
    }
}
