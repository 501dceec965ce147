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
    /// valid only inside `body`.
    public func withIOVectors<Result>(_ body: ([iovec]) throws -> Result) rethrows -> Result {
        var vectors: [iovec] = []
        vectors.reserveCapacity(count)
        return try Self.gather(self[...], into: &vectors, body)
    }

    private static func gather<Result>(
        _ buffers: SubSequence, into vectors: inout [iovec], _ body: ([iovec]) throws -> Result
    ) rethrows -> Result {
        guard let first = buffers.first else { return try body(vectors) }
        return try first.withUnsafeReadableBytes { bytes in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count))
            return try gather(buffers.dropFirst(), into: &vectors, body)
        }
    }
}
