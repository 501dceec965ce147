import COpenSSL

extension CryptoError {
    /// A `.library` error carrying libcrypto's error queue, which it empties.
    static func openSSL(_ operation: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let suffix = reasons.isEmpty ? "" : " (" + reasons.joined(separator: "; ") + ")"
        return CryptoError(.library, "\(operation) failed\(suffix)")
    }
}

/// Throws `CryptoError.library` unless libcrypto returned 1.
@inline(__always)
func check(_ status: Int32, _ operation: @autoclosure () -> String) throws(CryptoError) {
    guard status == 1 else { throw CryptoError.openSSL(operation()) }
}

/// Returns `pointer` or throws `CryptoError.library` when libcrypto returned NULL.
@inline(__always)
func check<T>(_ pointer: T?, _ operation: @autoclosure () -> String) throws(CryptoError) -> T {
    guard let pointer else { throw CryptoError.openSSL(operation()) }
    return pointer
}
