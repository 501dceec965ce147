/// Base64 (RFC 4648 §4) as OpenSSH writes it in public key lines and private key files.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() { table[Int(character)] = UInt8(index) }
        return table
    }()

    /// Encodes `bytes`; `padded: false` drops the trailing `=` as SHA-256 fingerprints do.
    package static func encode(_ bytes: some Collection<UInt8>, padded: Bool = true) -> String {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = input[index]
            let b1 = remaining > 1 ? input[index + 1] : 0
            let b2 = remaining > 2 ? input[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            if remaining > 1 {
                output.append(alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)])
            } else if padded {
                output.append(UInt8(ascii: "="))
            }
            if remaining > 2 {
                output.append(alphabet[Int(b2 & 0x3F)])
            } else if padded {
                output.append(UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64 text, skipping ASCII whitespace; nil when anything else is not in the alphabet
    /// or the padding is wrong.
    package static func decode(_ text: some Sequence<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        var padding = 0
        for character in text {
            switch character {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                continue
            case UInt8(ascii: "="):
                padding += 1
                guard padding <= 2 else { return nil }
                continue
            default:
                guard padding == 0 else { return nil }
                let value = decodeTable[Int(character)]
                guard value != 0xFF else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                    accumulator &= (1 << UInt32(bits)) - 1
                }
            }
        }
        // Leftover bits must be zero padding of a 2- or 3-character final group.
        guard bits < 6, accumulator == 0 else { return nil }
        if padding > 0 {
            guard (bits == 4 && padding == 2) || (bits == 2 && padding == 1) else { return nil }
        }
        return output
    }

    package static func decode(_ text: String) -> [UInt8]? { decode(text.utf8) }
}
