import COpenSSL

/// The library the cryptography comes from.
public enum CryptoLibrary {
    /// libcrypto's version line, as `OpenSSL_version(OPENSSL_VERSION)` gives it (`OpenSSL 3.0.16 11 Feb 2025`).
    public static var version: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}
