import NIOCore
import SSHWire

/// A server response of SFTP version 3 (draft-ietf-secsh-filexfer-02 §7), without its request id.
public enum SFTPResponse: Hashable, Sendable {
    /// `SSH_FXP_STATUS` (§7).
    case status(SFTPStatus)
    /// `SSH_FXP_HANDLE` (§7).
    case handle(SFTPHandle)
    /// `SSH_FXP_DATA` (§7): a slice of the frame, not a copy.
    case data(ByteBuffer)
    /// `SSH_FXP_NAME` (§7).
    case name([SFTPNameEntry])
    /// `SSH_FXP_ATTRS` (§7).
    case attributes(SFTPAttributes)
    /// `SSH_FXP_EXTENDED_REPLY` (§8): its format depends on the request; decode it with ``SFTPLimits``,
    /// ``SFTPFileSystemStats`` or ``SFTPUserGroupNames``.
    case extendedReply(ByteBuffer)

    /// The packet type of this response.
    public var packetType: SFTPPacketType {
        switch self {
        case .status: .status
        case .handle: .handle
        case .data: .data
        case .name: .name
        case .attributes: .attributes
        case .extendedReply: .extendedReply
        }
    }

    /// Reads the fields after the request id of a response of type `type`, consuming `buffer` exactly.
    init(type: SFTPPacketType, decoding buffer: inout ByteBuffer) throws(WireError) {
        switch type {
        case .status: self = .status(try SFTPStatus(decoding: &buffer))
        case .handle: self = .handle(try SFTPHandle(decoding: &buffer))
        case .data: self = .data(try buffer.readSSHString())
        case .name:
            let count = try buffer.readSSHCount(minimumElementSize: SFTPNameEntry.minimumEncodedLength, of: "NAME")
            var entries: [SFTPNameEntry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count { entries.append(try SFTPNameEntry(decoding: &buffer)) }
            self = .name(entries)
        case .attributes: self = .attributes(try SFTPAttributes(decoding: &buffer))
        case .extendedReply: self = .extendedReply(buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer())
        default: throw WireError(.unknownMessage, "\(type) is not a response")
        }
        try buffer.expectSSHEnd(of: "\(type)")
    }

    /// Writes the type byte, `id` and the fields.
    public func encode(id: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(packetType.rawValue)
        buffer.writeSSHUInt32(id)
        switch self {
        case .status(let status): status.encode(into: &buffer)
        case .handle(let handle): handle.encode(into: &buffer)
        case .data(let data): buffer.writeSSHString(data)
        case .name(let entries):
            buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: entries.count))
            for entry in entries { entry.encode(into: &buffer) }
        case .attributes(let attributes): attributes.encode(into: &buffer)
        case .extendedReply(let data): buffer.writeImmutableBuffer(data)
        }
    }
}
