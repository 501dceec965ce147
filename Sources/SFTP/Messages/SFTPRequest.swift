import NIOCore
import SSHWire

/// A client request of SFTP version 3 (draft-ietf-secsh-filexfer-02 §6), without its request id.
public enum SFTPRequest: Hashable, Sendable {
    /// `SSH_FXP_OPEN` (§6.3).
    case open(path: String, flags: SFTPOpenFlags, attributes: SFTPAttributes)
    /// `SSH_FXP_CLOSE` (§6.3).
    case close(handle: SFTPHandle)
    /// `SSH_FXP_READ` (§6.4).
    case read(handle: SFTPHandle, offset: UInt64, length: UInt32)
    /// `SSH_FXP_WRITE` (§6.4).
    case write(handle: SFTPHandle, offset: UInt64, data: ByteBuffer)
    /// `SSH_FXP_LSTAT` (§6.8): does not follow a final symbolic link.
    case lstat(path: String)
    /// `SSH_FXP_FSTAT` (§6.8).
    case fstat(handle: SFTPHandle)
    /// `SSH_FXP_SETSTAT` (§6.9).
    case setstat(path: String, attributes: SFTPAttributes)
    /// `SSH_FXP_FSETSTAT` (§6.9).
    case fsetstat(handle: SFTPHandle, attributes: SFTPAttributes)
    /// `SSH_FXP_OPENDIR` (§6.7).
    case opendir(path: String)
    /// `SSH_FXP_READDIR` (§6.7).
    case readdir(handle: SFTPHandle)
    /// `SSH_FXP_REMOVE` (§6.5).
    case remove(path: String)
    /// `SSH_FXP_MKDIR` (§6.6).
    case mkdir(path: String, attributes: SFTPAttributes)
    /// `SSH_FXP_RMDIR` (§6.6).
    case rmdir(path: String)
    /// `SSH_FXP_REALPATH` (§6.11).
    case realpath(path: String)
    /// `SSH_FXP_STAT` (§6.8): follows symbolic links.
    case stat(path: String)
    /// `SSH_FXP_RENAME` (§6.5).
    case rename(oldPath: String, newPath: String)
    /// `SSH_FXP_READLINK` (§6.10).
    case readlink(path: String)
    /// `SSH_FXP_SYMLINK` (§6.10), fields in wire order.
    ///
    /// The draft sends `linkpath` then `targetpath`; OpenSSH's sftp and sftp-server send and expect the
    /// *target first* (PROTOCOL §4.1, "a reversal of the arguments"). This case holds the two strings as they
    /// travel; ``SFTPClient`` and ``SFTPServer`` choose the order.
    case symlink(first: String, second: String)
    /// `SSH_FXP_EXTENDED` (§8).
    case extended(SFTPExtendedRequest)

    /// The packet type of this request.
    public var packetType: SFTPPacketType {
        switch self {
        case .open: .open
        case .close: .close
        case .read: .read
        case .write: .write
        case .lstat: .lstat
        case .fstat: .fstat
        case .setstat: .setstat
        case .fsetstat: .fsetstat
        case .opendir: .opendir
        case .readdir: .readdir
        case .remove: .remove
        case .mkdir: .mkdir
        case .rmdir: .rmdir
        case .realpath: .realpath
        case .stat: .stat
        case .rename: .rename
        case .readlink: .readlink
        case .symlink: .symlink
        case .extended: .extended
        }
    }

    /// Reads the fields after the request id of a request of type `type`, consuming `buffer` exactly.
    init(type: SFTPPacketType, decoding buffer: inout ByteBuffer) throws(WireError) {
        switch type {
        case .open:
            self = .open(
                path: try buffer.readSSHUTF8String(), flags: SFTPOpenFlags(rawValue: try buffer.readSSHUInt32()),
                attributes: try SFTPAttributes(decoding: &buffer))
        case .close: self = .close(handle: try SFTPHandle(decoding: &buffer))
        case .read:
            self = .read(
                handle: try SFTPHandle(decoding: &buffer), offset: try buffer.readSSHUInt64(),
                length: try buffer.readSSHUInt32())
        case .write:
            self = .write(
                handle: try SFTPHandle(decoding: &buffer), offset: try buffer.readSSHUInt64(),
                data: try buffer.readSSHString())
        case .lstat: self = .lstat(path: try buffer.readSSHUTF8String())
        case .fstat: self = .fstat(handle: try SFTPHandle(decoding: &buffer))
        case .setstat:
            self = .setstat(path: try buffer.readSSHUTF8String(), attributes: try SFTPAttributes(decoding: &buffer))
        case .fsetstat:
            self = .fsetstat(
                handle: try SFTPHandle(decoding: &buffer), attributes: try SFTPAttributes(decoding: &buffer))
        case .opendir: self = .opendir(path: try buffer.readSSHUTF8String())
        case .readdir: self = .readdir(handle: try SFTPHandle(decoding: &buffer))
        case .remove: self = .remove(path: try buffer.readSSHUTF8String())
        case .mkdir:
            self = .mkdir(path: try buffer.readSSHUTF8String(), attributes: try SFTPAttributes(decoding: &buffer))
        case .rmdir: self = .rmdir(path: try buffer.readSSHUTF8String())
        case .realpath: self = .realpath(path: try buffer.readSSHUTF8String())
        case .stat: self = .stat(path: try buffer.readSSHUTF8String())
        case .rename: self = .rename(oldPath: try buffer.readSSHUTF8String(), newPath: try buffer.readSSHUTF8String())
        case .readlink: self = .readlink(path: try buffer.readSSHUTF8String())
        case .symlink: self = .symlink(first: try buffer.readSSHUTF8String(), second: try buffer.readSSHUTF8String())
        case .extended: self = .extended(try SFTPExtendedRequest(decoding: &buffer))
        default: throw WireError(.unknownMessage, "\(type) is not a request")
        }
        try buffer.expectSSHEnd(of: "\(type)")
    }

    /// Writes a whole WRITE frame (§6.4) whose data `writeData` puts in place, so a block read from a
    /// file goes into the frame without a buffer of its own. When `writeData` throws, nothing of the
    /// frame stays in `buffer`.
    public static func encodeWriteFrame<Failure: Error>(
        id: UInt32, handle: SFTPHandle, offset: UInt64, into buffer: inout ByteBuffer,
        data writeData: (inout ByteBuffer) throws(Failure) -> Void
    ) throws(Failure) {
        let start = buffer.writerIndex
        do {
            try buffer.writeSSHString { (body: inout ByteBuffer) throws(Failure) in
                body.writeSSHByte(SFTPPacketType.write.rawValue)
                body.writeSSHUInt32(id)
                try encodeWriteFields(handle: handle, offset: offset, into: &body, data: writeData)
            }
        } catch {
            buffer.moveWriterIndex(to: start)
            throw error
        }
    }

    /// The fields of WRITE after the id: handle, offset, and the data as a string written by `writeData`.
    private static func encodeWriteFields<Failure: Error>(
        handle: SFTPHandle, offset: UInt64, into buffer: inout ByteBuffer,
        data writeData: (inout ByteBuffer) throws(Failure) -> Void
    ) throws(Failure) {
        handle.encode(into: &buffer)
        buffer.writeSSHUInt64(offset)
        try buffer.writeSSHString(writeData)
    }

    /// Writes the type byte, `id` and the fields.
    public func encode(id: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeSSHByte(packetType.rawValue)
        buffer.writeSSHUInt32(id)
        switch self {
        case .open(let path, let flags, let attributes):
            buffer.writeSSHString(path)
            buffer.writeSSHUInt32(flags.rawValue)
            attributes.encode(into: &buffer)
        case .close(let handle), .fstat(let handle), .readdir(let handle):
            handle.encode(into: &buffer)
        case .read(let handle, let offset, let length):
            handle.encode(into: &buffer)
            buffer.writeSSHUInt64(offset)
            buffer.writeSSHUInt32(length)
        case .write(let handle, let offset, let data):
            Self.encodeWriteFields(handle: handle, offset: offset, into: &buffer) { $0.writeImmutableBuffer(data) }
        case .lstat(let path), .opendir(let path), .remove(let path), .rmdir(let path), .realpath(let path),
            .stat(let path), .readlink(let path):
            buffer.writeSSHString(path)
        case .setstat(let path, let attributes), .mkdir(let path, let attributes):
            buffer.writeSSHString(path)
            attributes.encode(into: &buffer)
        case .fsetstat(let handle, let attributes):
            handle.encode(into: &buffer)
            attributes.encode(into: &buffer)
        case .rename(let first, let second), .symlink(let first, let second):
            buffer.writeSSHString(first)
            buffer.writeSSHString(second)
        case .extended(let request):
            request.encode(into: &buffer)
        }
    }
}
