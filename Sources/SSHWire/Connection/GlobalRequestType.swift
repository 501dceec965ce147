import NIOCore

/// The request-specific part of `SSH_MSG_GLOBAL_REQUEST` (RFC 4254 §4, OpenSSH PROTOCOL §2.5, §4.5).
public enum GlobalRequestType: Hashable, Sendable {
    /// `tcpip-forward` (RFC 4254 §7.1): listen on an address and port (0 asks the server to pick).
    case tcpipForward(address: String, port: UInt32)
    /// `cancel-tcpip-forward` (RFC 4254 §7.1).
    case cancelTCPIPForward(address: String, port: UInt32)
    /// `streamlocal-forward@openssh.com` (OpenSSH PROTOCOL §2.4): listen on a Unix socket path.
    case streamLocalForward(socketPath: String)
    /// `cancel-streamlocal-forward@openssh.com` (OpenSSH PROTOCOL §2.4).
    case cancelStreamLocalForward(socketPath: String)
    /// `keepalive@openssh.com`: a liveness probe; any reply, even failure, shows the peer is alive.
    case keepAlive
    /// `no-more-sessions@openssh.com` (OpenSSH PROTOCOL §2.2): refuse further session channels.
    case noMoreSessions
    /// `hostkeys-00@openssh.com` (OpenSSH PROTOCOL §2.5): the server's host key blobs.
    case hostKeys([ByteBuffer])
    /// `hostkeys-prove-00@openssh.com` (OpenSSH PROTOCOL §2.5): asks the server to prove it holds these keys.
    case hostKeysProve([ByteBuffer])
    /// A request this codec does not know: its name and data.
    case unknown(name: String, data: ByteBuffer)

    /// The request name as sent.
    public var name: String {
        switch self {
        case .tcpipForward: "tcpip-forward"
        case .cancelTCPIPForward: "cancel-tcpip-forward"
        case .streamLocalForward: "streamlocal-forward@openssh.com"
        case .cancelStreamLocalForward: "cancel-streamlocal-forward@openssh.com"
        case .keepAlive: "keepalive@openssh.com"
        case .noMoreSessions: "no-more-sessions@openssh.com"
        case .hostKeys: "hostkeys-00@openssh.com"
        case .hostKeysProve: "hostkeys-prove-00@openssh.com"
        case .unknown(let name, _): name
        }
    }

    /// The data a server signs to prove it holds `hostKey`, in answer to `hostkeys-prove-00@openssh.com`
    /// (OpenSSH PROTOCOL §2.5): string "hostkeys-prove-00@openssh.com", string session identifier,
    /// string host key blob.
    public static func hostKeyProofData(sessionIdentifier: [UInt8], hostKey: ByteBuffer) -> [UInt8] {
        var data = ByteBuffer()
        data.writeSSHString("hostkeys-prove-00@openssh.com")
        data.writeSSHString(sessionIdentifier)
        data.writeSSHString(hostKey)
        return Array(data.readableBytesView)
    }

    /// Decodes the data of request `name`, consuming `data` exactly.
    static func decode(name: String, from data: inout ByteBuffer) throws(WireError) -> Self {
        let request: Self
        switch name {
        case "tcpip-forward":
            let address = try data.readSSHUTF8String()
            request = .tcpipForward(address: address, port: try data.readSSHUInt32())
        case "cancel-tcpip-forward":
            let address = try data.readSSHUTF8String()
            request = .cancelTCPIPForward(address: address, port: try data.readSSHUInt32())
        case "streamlocal-forward@openssh.com":
            request = .streamLocalForward(socketPath: try data.readSSHUTF8String())
        case "cancel-streamlocal-forward@openssh.com":
            request = .cancelStreamLocalForward(socketPath: try data.readSSHUTF8String())
        case "keepalive@openssh.com":
            request = .keepAlive
        case "no-more-sessions@openssh.com":
            request = .noMoreSessions
        case "hostkeys-00@openssh.com":
            request = .hostKeys(try data.readSSHStringsToEnd())
        case "hostkeys-prove-00@openssh.com":
            request = .hostKeysProve(try data.readSSHStringsToEnd())
        default:
            return .unknown(name: name, data: data.readSSHRemainingBytes())
        }
        try data.expectSSHEnd(of: "global request \(name)")
        return request
    }

    /// Writes the request-specific data (not the name).
    func encodeData(into buffer: inout ByteBuffer) {
        switch self {
        case .tcpipForward(let address, let port), .cancelTCPIPForward(let address, let port):
            buffer.writeSSHString(address)
            buffer.writeSSHUInt32(port)
        case .streamLocalForward(let path), .cancelStreamLocalForward(let path):
            buffer.writeSSHString(path)
        case .keepAlive, .noMoreSessions:
            break
        case .hostKeys(let keys), .hostKeysProve(let keys):
            for key in keys { buffer.writeSSHString(key) }
        case .unknown(_, let data):
            buffer.writeImmutableBuffer(data)
        }
    }
}

extension ByteBuffer {
    /// Reads `string`s until no bytes remain (OpenSSH PROTOCOL §2.5); each costs at least 4 input bytes.
    package mutating func readSSHStringsToEnd() throws(WireError) -> [ByteBuffer] {
        var strings: [ByteBuffer] = []
        while readableBytes > 0 { strings.append(try readSSHString()) }
        return strings
    }
}
