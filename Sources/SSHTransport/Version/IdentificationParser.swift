import NIOCore

/// Reads the peer's identification string (RFC 4253 §4.2) from the first bytes of a connection.
///
/// A client accepts up to ``maximumPreambleLines`` other lines (each at most
/// ``maximumPreambleLineLength`` bytes) before the server's `SSH-` line; a server accepts none.
/// The identification line itself is at most ``maximumLineLength`` bytes including CR LF, and
/// must start `SSH-2.0-` or `SSH-1.99-`. A lone LF ends a line too, as OpenSSH allows.
struct IdentificationParser {
    static let maximumLineLength = 255
    static let maximumPreambleLines = 1024
    static let maximumPreambleLineLength = 8192

    let allowsPreamble: Bool
    private(set) var preambleLines: [String] = []

    init(allowsPreamble: Bool) {
        self.allowsPreamble = allowsPreamble
    }

    /// Consumes lines from `buffer`; returns the identification (without CR LF) once complete,
    /// leaving any bytes after it in `buffer`. Returns nil when more bytes are needed.
    mutating func parse(_ buffer: inout ByteBuffer) throws(TransportError) -> String? {
        while true {
            let view = buffer.readableBytesView
            guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
                let limit = allowsPreamble ? Self.maximumPreambleLineLength : Self.maximumLineLength
                if view.count > limit || (view.starts(with: Array("SSH-".utf8)) && view.count > Self.maximumLineLength) {
                    throw TransportError(.badVersion, "identification line longer than \(limit) bytes")
                }
                return nil
            }
            let lineLength = newline - view.startIndex + 1
            var line = Array(view[view.startIndex..<newline])
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if line.starts(with: Array("SSH-".utf8)) {
                guard lineLength <= Self.maximumLineLength else {
                    throw TransportError(.badVersion, "identification line longer than \(Self.maximumLineLength) bytes")
                }
                guard line.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
                    throw TransportError(.badVersion, "identification line holds control or non-ASCII bytes")
                }
                let text = String(decoding: line, as: UTF8.self)
                guard text.hasPrefix("SSH-2.0-") || text.hasPrefix("SSH-1.99-") else {
                    throw TransportError(.badVersion, "peer speaks an unsupported protocol version: \(text)")
                }
                buffer.moveReaderIndex(forwardBy: lineLength)
                return text
            }
            guard allowsPreamble else {
                throw TransportError(.badVersion, "expected an SSH identification line, got other data")
            }
            guard lineLength <= Self.maximumPreambleLineLength else {
                throw TransportError(.badVersion, "pre-version line longer than \(Self.maximumPreambleLineLength) bytes")
            }
            guard preambleLines.count < Self.maximumPreambleLines else {
                throw TransportError(.badVersion, "more than \(Self.maximumPreambleLines) lines before the version")
            }
            preambleLines.append(String(decoding: line, as: UTF8.self))
            buffer.moveReaderIndex(forwardBy: lineLength)
        }
    }
}
