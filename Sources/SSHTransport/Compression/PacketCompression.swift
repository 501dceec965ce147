import CZlib
import NIOCore

/// The compression of one direction of the transport (RFC 4253 §6.2): one zlib stream for the
/// whole connection, each payload flushed with `Z_PARTIAL_FLUSH` as OpenSSH does, and inflation
/// stopped at ``maximumPayloadLength`` so a small packet cannot expand without bound.
final class PacketCompression {
    /// The largest payload accepted after decompression.
    static let maximumPayloadLength = 256 * 1024

    private var stream = z_stream()
    private let compressing: Bool
    private var scratch: [UInt8]

    init(compressing: Bool) throws(TransportError) {
        self.compressing = compressing
        scratch = [UInt8](repeating: 0, count: 16 * 1024)
        let status = compressing ? paramiko_deflate_init(&stream, 6) : paramiko_inflate_init(&stream)
        guard status == Z_OK else { throw TransportError(.compressionError, "zlib initialisation failed (\(status))") }
    }

    deinit {
        if compressing { deflateEnd(&stream) } else { inflateEnd(&stream) }
    }

    /// Runs zlib over `input`, appending everything it produces to `output`.
    private func run(_ input: ByteBuffer, into output: inout ByteBuffer, limit: Int) throws(TransportError) {
        var input = input
        let produced = output.writerIndex
        let status: Int32 = input.withUnsafeMutableReadableBytes { bytes in
            stream.next_in = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.avail_in = uInt(bytes.count)
            var result: Int32 = Z_OK
            repeat {
                result = scratch.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    let code = compressing ? deflate(&stream, Z_PARTIAL_FLUSH) : inflate(&stream, Z_SYNC_FLUSH)
                    let count = out.count - Int(stream.avail_out)
                    output.writeBytes(UnsafeBufferPointer(rebasing: out[0..<count]))
                    return code
                }
                if output.writerIndex - produced > limit { return Z_BUF_ERROR - 100 }
            } while result == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
            stream.next_in = nil
            return result
        }
        if status == Z_BUF_ERROR - 100 {
            throw TransportError(.compressionError, "a payload inflated past \(limit) bytes")
        }
        guard status == Z_OK || status == Z_BUF_ERROR else {
            throw TransportError(.compressionError, "zlib failed (\(status))")
        }
    }

    /// The compressed form of `payload`.
    func compress(_ payload: ByteBuffer) throws(TransportError) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(payload.readableBytes / 2 + 64)
        try run(payload, into: &output, limit: Int.max)
        return output
    }

    /// The original payload from its compressed form.
    func decompress(_ payload: ByteBuffer) throws(TransportError) -> ByteBuffer {
        var output = ByteBuffer()
        output.reserveCapacity(payload.readableBytes * 2 + 64)
        try run(payload, into: &output, limit: Self.maximumPayloadLength)
        return output
    }
}
