import NIOCore

/// The channel type and its type-specific data in `SSH_MSG_CHANNEL_OPEN` (RFC 4254 §5.1, OpenSSH PROTOCOL §2).
public enum ChannelType: Hashable, Sendable {
    /// `session` (RFC 4254 §6.1).
    case session
    /// `x11` (RFC 4254 §6.3.2), with the originator's address and port.
    case x11(originatorAddress: String, originatorPort: UInt32)
    /// `forwarded-tcpip` (RFC 4254 §7.2): a connection to a port the client asked the server to forward.
    case forwardedTCPIP(Forwarded)
    /// `direct-tcpip` (RFC 4254 §7.2): the client asks the server to connect somewhere.
    case directTCPIP(Forwarded)
    /// `direct-streamlocal@openssh.com` (OpenSSH PROTOCOL §2.4): connect to a Unix socket on the server.
    case directStreamLocal(socketPath: String)
    /// `forwarded-streamlocal@openssh.com` (OpenSSH PROTOCOL §2.4): a connection to a forwarded Unix socket.
    case forwardedStreamLocal(socketPath: String)
    /// `auth-agent@openssh.com` (OpenSSH PROTOCOL.agent): the server opens a channel to the client's agent.
    case authAgent
    /// `tun@openssh.com` (OpenSSH PROTOCOL §2.3): a layer 3 or layer 2 tunnel to a tun or tap device of
    /// the server's, `unit` or any (``TunnelUnit/any``).
    case tunnel(mode: TunnelMode, unit: TunnelUnit)
    /// A type this codec does not know: its name and type-specific data.
    case unknown(name: String, data: ByteBuffer)

    /// Addresses of a TCP/IP forwarding channel (RFC 4254 §7.2).
    public struct Forwarded: Hashable, Sendable {
        /// For `direct-tcpip` the host to connect to; for `forwarded-tcpip` the address that was connected.
        public var host: String
        /// The port that goes with ``host``.
        public var port: UInt32
        /// The address the connection came from.
        public var originatorAddress: String
        /// The port the connection came from.
        public var originatorPort: UInt32

        public init(host: String, port: UInt32, originatorAddress: String, originatorPort: UInt32) {
            self.host = host
            self.port = port
            self.originatorAddress = originatorAddress
            self.originatorPort = originatorPort
        }

        init(decoding data: inout ByteBuffer) throws(WireError) {
            host = try data.readSSHUTF8String()
            port = try data.readSSHUInt32()
            originatorAddress = try data.readSSHUTF8String()
            originatorPort = try data.readSSHUInt32()
        }

        func encode(into buffer: inout ByteBuffer) {
            buffer.writeSSHString(host)
            buffer.writeSSHUInt32(port)
            buffer.writeSSHString(originatorAddress)
            buffer.writeSSHUInt32(originatorPort)
        }
    }

    /// The type name as sent.
    public var name: String {
        switch self {
        case .session: "session"
        case .x11: "x11"
        case .forwardedTCPIP: "forwarded-tcpip"
        case .directTCPIP: "direct-tcpip"
        case .directStreamLocal: "direct-streamlocal@openssh.com"
        case .forwardedStreamLocal: "forwarded-streamlocal@openssh.com"
        case .authAgent: "auth-agent@openssh.com"
        case .tunnel: "tun@openssh.com"
        case .unknown(let name, _): name
        }
    }

    /// Decodes the type-specific data of type `name`, consuming `data` exactly.
    ///
    /// The reserved fields of the streamlocal types (OpenSSH PROTOCOL §2.4) are read and dropped.
    static func decode(name: String, from data: inout ByteBuffer) throws(WireError) -> Self {
        let type: Self
        switch name {
        case "session":
            type = .session
        case "x11":
            let address = try data.readSSHUTF8String()
            type = .x11(originatorAddress: address, originatorPort: try data.readSSHUInt32())
        case "forwarded-tcpip":
            type = .forwardedTCPIP(try Forwarded(decoding: &data))
        case "direct-tcpip":
            type = .directTCPIP(try Forwarded(decoding: &data))
        case "direct-streamlocal@openssh.com":
            let path = try data.readSSHUTF8String()
            _ = try data.readSSHString()
            _ = try data.readSSHUInt32()
            type = .directStreamLocal(socketPath: path)
        case "forwarded-streamlocal@openssh.com":
            let path = try data.readSSHUTF8String()
            _ = try data.readSSHString()
            type = .forwardedStreamLocal(socketPath: path)
        case "auth-agent@openssh.com":
            type = .authAgent
        case "tun@openssh.com":
            let mode = TunnelMode(rawValue: try data.readSSHUInt32())
            type = .tunnel(mode: mode, unit: TunnelUnit(rawValue: try data.readSSHUInt32()))
        default:
            return .unknown(name: name, data: data.readSSHRemainingBytes())
        }
        try data.expectSSHEnd(of: "channel open \(name)")
        return type
    }

    /// Writes the type-specific data (not the name).
    func encodeData(into buffer: inout ByteBuffer) {
        switch self {
        case .session, .authAgent:
            break
        case .x11(let address, let port):
            buffer.writeSSHString(address)
            buffer.writeSSHUInt32(port)
        case .forwardedTCPIP(let addresses), .directTCPIP(let addresses):
            addresses.encode(into: &buffer)
        case .directStreamLocal(let path):
            buffer.writeSSHString(path)
            buffer.writeSSHString("")
            buffer.writeSSHUInt32(0)
        case .forwardedStreamLocal(let path):
            buffer.writeSSHString(path)
            buffer.writeSSHString("")
        case .tunnel(let mode, let unit):
            buffer.writeSSHUInt32(mode.rawValue)
            buffer.writeSSHUInt32(unit.rawValue)
        case .unknown(_, let data):
            buffer.writeImmutableBuffer(data)
        }
    }
}
