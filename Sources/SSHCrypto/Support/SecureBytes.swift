import COpenSSL

/// Secret bytes — keys, shared secrets, passphrases — held in memory that is zeroed
/// (with `OPENSSL_cleanse`, which the optimizer cannot remove) when the last reference goes.
///
/// The contents never appear in `description`. Compare with ``constantTimeEquals(_:)``.
public struct SecureBytes: Sendable, CustomStringConvertible {
    private final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutableRawBufferPointer

        init(count: Int) {
            pointer = .allocate(byteCount: Swift.max(count, 1), alignment: 16)
            pointer.initializeMemory(as: UInt8.self, repeating: 0)
        }

        deinit {
            OPENSSL_cleanse(pointer.baseAddress, pointer.count)
            pointer.deallocate()
        }
    }

    private let storage: Storage
    /// The number of secret bytes.
    public let count: Int

    /// Copies `bytes` into zeroing storage.
    public init(_ bytes: some Sequence<UInt8>) {
        let array = Array(bytes)
        self.init(count: array.count) { buffer in
            buffer.copyBytes(from: array)
        }
    }

    /// Allocates `count` bytes and lets `initializer` fill them in place.
    public init<Failure: Error>(
        count: Int, initializer: (UnsafeMutableRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        storage = Storage(count: count)
        self.count = count
        try initializer(UnsafeMutableRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    /// `count` bytes from the system's cryptographically secure generator.
    public static func random(count: Int) -> SecureBytes {
        SecureBytes(count: count) { buffer in SystemRandom.fill(buffer) }
    }

    /// Calls `body` with a read-only view of the secret bytes.
    public func withUnsafeBytes<Result, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage.pointer[0..<count]))
    }

    /// The first `length` bytes, as new secure storage.
    public func prefix(_ length: Int) -> SecureBytes {
        precondition(length <= count, "prefix longer than the secret")
        return withUnsafeBytes { bytes in SecureBytes(bytes.prefix(length)) }
    }

    /// Compares two secrets in time that depends only on their lengths.
    public func constantTimeEquals(_ other: SecureBytes) -> Bool {
        withUnsafeBytes { lhs in other.withUnsafeBytes { rhs in ConstantTime.equals(lhs, rhs) } }
    }

    /// A copy of the bytes in an ordinary array, for tests and for values that stop being secret.
    public var unsafeArray: [UInt8] { withUnsafeBytes { Array($0) } }

    public var description: String { "SecureBytes(\(count) bytes)" }
}
