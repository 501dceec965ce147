import CGSSAPI

/// Moving bytes in and out of `gss_buffer_desc` (RFC 2744 §3.2).
enum GSSBuffer {
    /// Calls `body` with a buffer descriptor over `bytes`, valid only during the call.
    static func with<T>(_ bytes: [UInt8], _ body: (inout gss_buffer_desc) -> T) -> T {
        var copy = bytes
        return copy.withUnsafeMutableBytes { raw in
            var descriptor = gss_buffer_desc(length: raw.count, value: raw.baseAddress)
            return body(&descriptor)
        }
    }

    /// The bytes of a buffer the library filled in; the buffer is released.
    static func take(_ buffer: inout gss_buffer_desc) -> [UInt8] {
        defer {
            var minor: OM_uint32 = 0
            gss_release_buffer(&minor, &buffer)
        }
        guard let value = buffer.value, buffer.length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: value, count: buffer.length))
    }

    /// The text of a buffer the library filled in; the buffer is not released.
    static func string(_ buffer: gss_buffer_desc) -> String {
        guard let value = buffer.value, buffer.length > 0 else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: value, count: buffer.length), as: UTF8.self)
    }
}
