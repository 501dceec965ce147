import NIOCore
import SSHWire

/// A buffer holding `bytes`.
func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

/// A buffer holding the UTF-8 of `text`.
func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

/// The bytes of a hex string; spaces are ignored.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.filter { !$0.isWhitespace }.utf8)
    return stride(from: 0, to: digits.count - 1, by: 2).compactMap { index in
        UInt8(String(decoding: digits[index...index + 1], as: UTF8.self), radix: 16)
    }
}

/// The readable bytes of `buffer` as lowercase hex.
func hexString(_ buffer: ByteBuffer) -> String {
    buffer.readableBytesView.map {
        String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
    }
    .joined()
}

/// A big-endian uint32.
func be32(_ value: Int) -> [UInt8] {
    [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// An SSH string built by hand: length then bytes.
func sshString(_ text: String) -> [UInt8] { be32(text.utf8.count) + Array(text.utf8) }

/// An SSH string of raw bytes built by hand.
func sshString(_ bytes: [UInt8]) -> [UInt8] { be32(bytes.count) + bytes }

/// Runs `body` and returns the WireError code it threw, or nil if it did not throw.
func wireErrorCode<T>(_ body: () throws(WireError) -> T) -> WireError.Code? {
    do throws(WireError) {
        _ = try body()
        return nil
    } catch {
        return error.code
    }
}

