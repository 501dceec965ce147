/// Our number for a channel (RFC 4254 §5.1: each side names channels with its own numbers).
public struct ChannelID: Hashable, Sendable, CustomStringConvertible {
    /// The number we put in `sender channel` and the peer puts in `recipient channel`.
    public let rawValue: UInt32

    /// The channel numbered `rawValue`.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    public var description: String { "channel \(rawValue)" }
}
