import SSHWire

/// An error that ends a transport connection (RFC 4253). Each maps to the DISCONNECT
/// reason we send, or carries the reason the peer sent.
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of transport error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case badVersion, protocolError, macError, keyExchangeFailed, noCommonAlgorithm, hostKeyNotVerifiable
            case hostKeyRejected, peerDisconnected, timedOut, compressionError, packetTooLarge, closed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer's identification line was malformed, too long, or not SSH 2.0.
        public static let badVersion = Code(.badVersion)
        /// The peer broke the protocol: a malformed packet, or a message not allowed at this point.
        public static let protocolError = Code(.protocolError)
        /// A packet's MAC or AEAD tag did not verify.
        public static let macError = Code(.macError)
        /// The key exchange failed (an invalid public value, a bad signature over the exchange hash).
        public static let keyExchangeFailed = Code(.keyExchangeFailed)
        /// No algorithm both sides support for some negotiated slot.
        public static let noCommonAlgorithm = Code(.noCommonAlgorithm)
        /// The server's signature over the exchange hash did not verify.
        public static let hostKeyNotVerifiable = Code(.hostKeyNotVerifiable)
        /// The host-key policy refused the server's key.
        public static let hostKeyRejected = Code(.hostKeyRejected)
        /// The peer sent DISCONNECT; ``TransportError/peerReason`` holds its reason.
        public static let peerDisconnected = Code(.peerDisconnected)
        /// A deadline passed (version, key exchange).
        public static let timedOut = Code(.timedOut)
        /// Compressed data did not inflate, or inflated past the limit.
        public static let compressionError = Code(.compressionError)
        /// A packet length beyond the limit of 256 KiB.
        public static let packetTooLarge = Code(.packetTooLarge)
        /// The connection is already closed.
        public static let closed = Code(.closed)

        public var description: String { String(describing: base) }
    }

    /// What kind of error this is.
    public let code: Code
    /// A human-readable explanation.
    public let detail: String
    /// For `.peerDisconnected`, the reason code the peer sent.
    public let peerReason: DisconnectReason?

    /// Creates an error.
    public init(_ code: Code, _ detail: String, peerReason: DisconnectReason? = nil) {
        self.code = code
        self.detail = detail
        self.peerReason = peerReason
    }

    /// The DISCONNECT reason we send for this error (RFC 4253 §11.1).
    public var disconnectReason: DisconnectReason {
        switch code {
        case .macError: .macError
        case .keyExchangeFailed, .noCommonAlgorithm, .timedOut: .keyExchangeFailed
        case .hostKeyNotVerifiable: .hostKeyNotVerifiable
        case .hostKeyRejected: .hostKeyNotVerifiable
        case .compressionError: .compressionError
        case .badVersion: .protocolVersionNotSupported
        default: .protocolError
        }
    }

    public var description: String {
        if let peerReason { return "TransportError.\(code): \(detail) (\(peerReason))" }
        return "TransportError.\(code): \(detail)"
    }
}
