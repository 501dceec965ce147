import COpenSSL
import NIOCore

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (`OPENSSL_cleanse`, which the optimizer keeps) for copies of
    /// secrets that cannot live in ``SecureBytes``.
    package mutating func zeroize() {
        withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }
}

extension ByteBuffer {
    /// Overwrites the whole storage with zeros and empties the buffer.
    package mutating func zeroize() {
        withVeryUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
        clear()
    }
}
