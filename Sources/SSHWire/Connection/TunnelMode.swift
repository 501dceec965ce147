/// The tunnel mode of a `tun@openssh.com` channel (OpenSSH PROTOCOL §2.3): what each channel
/// data message carries.
public struct TunnelMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The value on the wire.
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SSH_TUNMODE_POINTOPOINT` (1): layer 3, an IP packet after a 4-byte address family.
    public static let pointToPoint = TunnelMode(rawValue: 1)
    /// `SSH_TUNMODE_ETHERNET` (2): layer 2, an Ethernet frame.
    public static let ethernet = TunnelMode(rawValue: 2)

    /// Whether the mode is one PROTOCOL §2.3 defines.
    public var isKnown: Bool { self == .pointToPoint || self == .ethernet }

    /// The name ssh_config's `Tunnel` gives the mode.
    public var description: String {
        switch self {
        case .pointToPoint: "point-to-point"
        case .ethernet: "ethernet"
        default: "mode \(rawValue)"
        }
    }
}

/// The device number of a tunnel's end (OpenSSH PROTOCOL §2.3): `tunN` or `tapN`, or any free one.
public struct TunnelUnit: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The value on the wire; 0x7fffffff is any.
    public var rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `SSH_TUNID_ANY`: the side that opens the device takes the next free number.
    public static let any = TunnelUnit(rawValue: 0x7fff_ffff)

    /// Device number `number`, 0 to 0x7ffffffe.
    public static func number(_ number: UInt32) -> TunnelUnit { TunnelUnit(rawValue: number) }

    /// The number, or nil for ``any``.
    public var number: UInt32? { self == .any ? nil : rawValue }

    /// `any` or the number, as `TunnelDevice` and `-w` write it.
    public var description: String { number.map { String($0) } ?? "any" }

    /// Reads `any` or a number up to 0x7ffffffe, as ssh's `-w` and `TunnelDevice` take it; nil otherwise.
    public init?(parsing text: some StringProtocol) {
        if text.lowercased() == "any" {
            self = .any
        } else if let value = UInt32(text), value < 0x7fff_ffff {
            self = .number(value)
        } else {
            return nil
        }
    }
}
