/// An error decoding or encoding SSH wire data (RFC 4251 §5, RFC 4253 §6).
///
/// Every malformed input from a peer surfaces as a `WireError`, never as a trap.
/// Switch on ``code``; ``detail`` says what was wrong for a human reader.
public struct WireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of wire error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case truncated
            case lengthTooLarge
            case invalidBoolean
            case nonMinimalMPInt
            case negativeMPInt
            case invalidNameList
            case invalidUTF8
            case unknownMessage
            case unexpectedMessage
            case trailingBytes
            case invalidValue
            case invalidPacket
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A field ran past the end of the available bytes.
        public static let truncated = Code(.truncated)
        /// A length prefix or count is larger than the bytes left could hold, or larger than a limit.
        public static let lengthTooLarge = Code(.lengthTooLarge)
        /// A boolean byte was neither 0 nor 1 where strictness was requested.
        public static let invalidBoolean = Code(.invalidBoolean)
        /// An mpint had a superfluous leading 0x00 or 0xFF byte (RFC 4251 §5).
        public static let nonMinimalMPInt = Code(.nonMinimalMPInt)
        /// An mpint was negative where only a non-negative value is allowed.
        public static let negativeMPInt = Code(.negativeMPInt)
        /// A name-list was empty where a name was required, held an empty name, or a non-ASCII byte.
        public static let invalidNameList = Code(.invalidNameList)
        /// A string that must be UTF-8 was not.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// The message number is not one this codec knows.
        public static let unknownMessage = Code(.unknownMessage)
        /// The message number is known but not valid in this position.
        public static let unexpectedMessage = Code(.unexpectedMessage)
        /// Bytes remained after a message that must be consumed exactly.
        public static let trailingBytes = Code(.trailingBytes)
        /// A field held a value outside its allowed range.
        public static let invalidValue = Code(.invalidValue)
        /// A binary packet broke the framing rules of RFC 4253 §6.
        public static let invalidPacket = Code(.invalidPacket)

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

    public var description: String { "WireError.\(code): \(detail)" }
}
