import NIOCore
import SSHWire

/// One SFTP packet (draft-ietf-secsh-filexfer-02 §3): `uint32 length, byte type, data`.
///
/// Requests and responses carry a request id; INIT and VERSION carry the protocol version and extension
/// pairs (§4). A frame's length is at most ``maximumFrameLength`` (LIMITS.md, OpenSSH's `SFTP_MAX_MSG_LENGTH`),
/// checked before anything is buffered.
public enum SFTPPacket: Hashable, Sendable {
    /// `SSH_FXP_INIT` (§4): the client's version and extensions.
    case initialize(version: UInt32, extensions: [SFTPExtensionPair])
    /// `SSH_FXP_VERSION` (§4): the server's version and extensions.
    case version(version: UInt32, extensions: [SFTPExtensionPair])
    /// A client request (§6).
    case request(id: UInt32, SFTPRequest)
    /// A server response (§7).
    case response(id: UInt32, SFTPResponse)

    /// The protocol version this package speaks (draft-02 is version 3).
    public static let protocolVersion: UInt32 = 3
    /// The largest frame length accepted or sent: 256 KiB (LIMITS.md).
    public static let maximumFrameLength = 256 * 1024

    /// The packet type byte.
    public var packetType: SFTPPacketType {
        switch self {
        case .initialize: .initialize
        case .version: .version
        case .request(_, let request): request.packetType
        case .response(_, let response): response.packetType
        }
    }

    /// Decodes a frame's body: the type byte and everything after it, without the length. Consumes it exactly.
    public init(decoding body: ByteBuffer) throws(WireError) {
        var buffer = body
        let type = SFTPPacketType(rawValue: try buffer.readSSHByte())
        switch type {
        case .initialize, .version:
            let version = try buffer.readSSHUInt32()
            var extensions: [SFTPExtensionPair] = []
            while buffer.readableBytes > 0 { extensions.append(try SFTPExtensionPair(decoding: &buffer)) }
            self =
                type == .initialize
                ? .initialize(version: version, extensions: extensions)
                : .version(version: version, extensions: extensions)
        case .status, .handle, .data, .name, .attributes, .extendedReply:
            let id = try buffer.readSSHUInt32()
            self = .response(id: id, try SFTPResponse(type: type, decoding: &buffer))
        default:
            guard
                (SFTPPacketType.open.rawValue...SFTPPacketType.symlink.rawValue).contains(type.rawValue)
                    || type == .extended
            else { throw WireError(.unknownMessage, "unknown SFTP packet type \(type.rawValue)") }
            let id = try buffer.readSSHUInt32()
            self = .request(id: id, try SFTPRequest(type: type, decoding: &buffer))
        }
    }

    /// Writes the frame's body: the type byte and the fields, without the length.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .initialize(let version, let extensions), .version(let version, let extensions):
            buffer.writeSSHByte(packetType.rawValue)
            buffer.writeSSHUInt32(version)
            for pair in extensions { pair.encode(into: &buffer) }
        case .request(let id, let request): request.encode(id: id, into: &buffer)
        case .response(let id, let response): response.encode(id: id, into: &buffer)
        }
    }

    /// Writes the whole frame: the uint32 length, then the body.
    public func encodeFrame(into buffer: inout ByteBuffer) {
        buffer.writeSSHString { body in encode(into: &body) }
    }

    /// The request id of a frame body, read without decoding the rest; nil for INIT, VERSION or a body too
    /// short to hold one. A server uses it to answer BAD_MESSAGE to a request it cannot decode.
    public static func requestID(ofBody body: ByteBuffer) -> UInt32? {
        guard let type = body.getInteger(at: body.readerIndex, as: UInt8.self), type > 2 else { return nil }
        return body.getInteger(at: body.readerIndex + 1, endianness: .big, as: UInt32.self)
    }
}
