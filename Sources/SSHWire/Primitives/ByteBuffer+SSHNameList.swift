import NIOCore

// RFC 4251 §5: name-list, comma-separated US-ASCII names in a string.

extension ByteBuffer {
    /// Reads a `name-list` (RFC 4251 §5). An empty string is the empty list.
    ///
    /// Every name must be non-empty and made of printable US-ASCII other than the comma
    /// (RFC 4251 §6: no control characters, no whitespace); otherwise `.invalidNameList`.
    /// The number of names is bounded by the string's length, so nothing grows beyond the input.
    public mutating func readSSHNameList() throws(WireError) -> [String] {
        try rewindingOnError { buffer throws(WireError) in
            let bytes = try buffer.readSSHString()
            return try Self.parseNameList(bytes.readableBytesView)
        }
    }

    /// Writes `names` as a `name-list` (RFC 4251 §5), joined by commas.
    @discardableResult
    public mutating func writeSSHNameList(_ names: [String]) -> Int {
        writeSSHString { buffer in
            for (position, name) in names.enumerated() {
                if position > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                buffer.writeString(name)
            }
        }
    }

    static func parseNameList(_ bytes: ByteBufferView) throws(WireError) -> [String] {
        if bytes.isEmpty { return [] }
        var names: [String] = []
        var nameStart = bytes.startIndex
        var index = bytes.startIndex
        while true {
            if index == bytes.endIndex || bytes[index] == UInt8(ascii: ",") {
                guard index > nameStart else { throw WireError(.invalidNameList, "empty name in name-list") }
                names.append(String(decoding: bytes[nameStart..<index], as: UTF8.self))
                if index == bytes.endIndex { return names }
                nameStart = index + 1
            } else if !(0x21...0x7E).contains(bytes[index]) {
                throw WireError(.invalidNameList, "byte 0x\(String(bytes[index], radix: 16)) in name-list")
            }
            index += 1
        }
    }
}
