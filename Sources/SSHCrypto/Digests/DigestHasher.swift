import COpenSSL

/// An incremental hash, for values assembled piece by piece such as the exchange hash
/// `H = HASH(V_C || V_S || I_C || I_S || K_S || e || f || K)` (RFC 4253 §8).
public struct DigestHasher: ~Copyable {
    private let context: OpaquePointer
    /// The algorithm this hasher computes.
    public let algorithm: DigestAlgorithm

    /// Starts a new hash.
    public init(_ algorithm: DigestAlgorithm) throws(CryptoError) {
        self.algorithm = algorithm
        let context = try check(EVP_MD_CTX_new(), "EVP_MD_CTX_new")
        guard EVP_DigestInit_ex2(context, try algorithm.evp(), nil) == 1 else {
            EVP_MD_CTX_free(context)
            throw CryptoError.openSSL("EVP_DigestInit_ex2")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds raw bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        // Only allocation failure inside libcrypto can make this fail, and finalize reports it.
        _ = EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
    }

    /// Adds bytes from any collection.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Finishes the hash and returns the digest.
    public consuming func finalize() throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.outputLength)
        var length: UInt32 = 0
        let status = output.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        try check(status, "EVP_DigestFinal_ex")
        return output
    }
}
