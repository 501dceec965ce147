import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Collection where Element == ByteBuffer {
    /// Runs `body` with one `iovec` for each buffer's readable bytes, in order, every buffer's storage held
    /// meanwhile: for gathering them into one `writev` or `pwritev` without joining them. The vectors are
    /// valid only inside `body`. Inlinable, so that it is specialized for the caller's collection
    /// rather than run through generic witnesses on every write.
    @inlinable
    public func withIOVectors<Result>(_ body: ([iovec]) throws -> Result) rethrows -> Result {
        var vectors: [iovec] = []
        vectors.reserveCapacity(count)
        var storages: [Unmanaged<AnyObject>] = []
        storages.reserveCapacity(count)
        defer { for storage in storages { storage.release() } }
        for buffer in self {
            buffer.withUnsafeReadableBytesWithStorageManagement { bytes, storage in
                storages.append(storage.retain())
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count))
            }
        }
        return try body(vectors)
    }
}

extension Array where Element == ByteBuffer {
    /// Drops the first `count` bytes (at most all there are): buffers used up go, and the first one left
    /// keeps what was not taken of it. For carrying on after a `writev` that wrote part of the buffers.
    public mutating func removeFirst(bytes count: Int) {
        var remaining = count
        var used = 0
        while used < self.count, self[used].readableBytes <= remaining {
            remaining -= self[used].readableBytes
            used += 1
        }
        removeFirst(used)
        if remaining > 0, !isEmpty { self[0].moveReaderIndex(forwardBy: remaining) }
    }
}
