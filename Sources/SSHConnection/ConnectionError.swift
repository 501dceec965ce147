/// An error of the connection protocol (RFC 4254): a switchable ``code`` and a ``detail`` saying
/// whose doing it was. A protocol error ends the connection with DISCONNECT PROTOCOL_ERROR.
public struct ConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of connection error.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case protocolError, unknownChannel, tooManyChannels, channelClosed, datagramTooLarge, tunnelDevice
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The peer broke the protocol: a malformed message, a window overrun past tolerance, a
        /// window overflow, a reply nobody asked for.
        public static let protocolError = Code(.protocolError)
        /// A message named a channel that is not open.
        public static let unknownChannel = Code(.unknownChannel)
        /// No channel number is left under the configured limit.
        public static let tooManyChannels = Code(.tooManyChannels)
        /// We tried to use a channel after closing it.
        public static let channelClosed = Code(.channelClosed)
        /// A datagram we were given does not fit in one message under the peer's maximum packet.
        public static let datagramTooLarge = Code(.datagramTooLarge)
        /// A tun or tap device of this host could not be opened or used (OpenSSH PROTOCOL §2.3).
        public static let tunnelDevice = Code(.tunnelDevice)

        public var description: String {
            switch base {
            case .protocolError: "protocolError"
            case .unknownChannel: "unknownChannel"
            case .tooManyChannels: "tooManyChannels"
            case .channelClosed: "channelClosed"
            case .datagramTooLarge: "datagramTooLarge"
            case .tunnelDevice: "tunnelDevice"
            }
        }
    }

    /// What kind of error this is.
    public let code: Code
    /// What happened, in words.
    public let detail: String

    /// An error of `code` with `detail`.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "ConnectionError.\(code): \(detail)" }
}
