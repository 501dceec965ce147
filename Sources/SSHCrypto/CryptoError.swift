/// An error from a cryptographic operation: a failed MAC or tag check, a bad key,
/// an invalid peer public value, or a failure inside libcrypto.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of crypto error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case authenticationFailed
            case invalidKeyLength
            case invalidPublicValue
            case invalidLength
            case unsupportedAlgorithm
            case library
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A MAC or AEAD tag did not verify: the packet was altered or the keys differ.
        public static let authenticationFailed = Code(.authenticationFailed)
        /// A key or IV of the wrong size was given.
        public static let invalidKeyLength = Code(.invalidKeyLength)
        /// A peer's public value is out of range or not on the curve.
        public static let invalidPublicValue = Code(.invalidPublicValue)
        /// Data of a length the operation cannot process (for example, not a multiple of the block size).
        public static let invalidLength = Code(.invalidLength)
        /// An algorithm name this library does not implement.
        public static let unsupportedAlgorithm = Code(.unsupportedAlgorithm)
        /// libcrypto reported a failure.
        public static let library = Code(.library)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation.
    public let detail: String

    /// Creates an error with a code and a detail.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "CryptoError.\(code): \(detail)" }
}
