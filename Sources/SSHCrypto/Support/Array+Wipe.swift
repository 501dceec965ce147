import COpenSSL

extension Array where Element == UInt8 {
    /// Overwrites the bytes with zeros (`OPENSSL_cleanse`, which the compiler keeps), for secrets
    /// held briefly in plain arrays before they go into ``SecureBytes`` or away.
    mutating func wipe() {
        withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }
}
