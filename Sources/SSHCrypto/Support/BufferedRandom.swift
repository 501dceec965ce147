/// Random bytes drawn from another source a block at a time: for the many small draws of packet
/// padding (RFC 4253 §6), where asking the system generator for four bytes per packet costs more
/// than the bytes are worth.
public struct BufferedRandom: SSHRandomSource {
    private var source: any SSHRandomSource
    private var pool: [UInt8]
    private var position: Int

    /// Draws from `source` `blockSize` bytes at a time.
    public init(_ source: any SSHRandomSource, blockSize: Int = 4096) {
        self.source = source
        self.pool = [UInt8](repeating: 0, count: max(8, blockSize))
        self.position = pool.count
    }

    private mutating func refill() {
        pool.withUnsafeMutableBytes { source.fill($0) }
        position = 0
    }

    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            if position == pool.count { refill() }
            let count = min(buffer.count - offset, pool.count - position)
            pool.withUnsafeBytes { bytes in
                buffer.baseAddress!.advanced(by: offset).copyMemory(from: bytes.baseAddress! + position, byteCount: count)
            }
            position += count
            offset += count
        }
    }

    public mutating func next() -> UInt64 {
        if pool.count - position < 8 { refill() }
        let value = pool.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: UInt64.self) }
        position += 8
        return value
    }
}
