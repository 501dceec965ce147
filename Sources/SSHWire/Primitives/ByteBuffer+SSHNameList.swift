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
            return try Self.parseNameList(bytes)
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

    static func parseNameList(_ bytes: ByteBuffer) throws(WireError) -> [String] {
        try bytes.withUnsafeReadableBytes { raw -> Result<[String], WireError> in
            if raw.isEmpty { return .success([]) }
            var names: [String] = []
            var nameStart = 0
            for index in 0...raw.count {
                if index == raw.count || raw[index] == UInt8(ascii: ",") {
                    guard index > nameStart else {
                        return .failure(WireError(.invalidNameList, "empty name in name-list"))
                    }
                    names.append(
                        String(decoding: UnsafeRawBufferPointer(rebasing: raw[nameStart..<index]), as: UTF8.self))
                    nameStart = index + 1
                } else if !(0x21...0x7E).contains(raw[index]) {
                    return .failure(WireError(.invalidNameList, "byte 0x\(String(raw[index], radix: 16)) in name-list"))
                }
            }
            return .success(names)
        }.get()
    }
}
