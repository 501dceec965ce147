import NIOCore
import SSHWire

/// The body of `SSH_FXP_EXTENDED` (draft-ietf-secsh-filexfer-02 §8): the request name and its fields.
///
/// The OpenSSH extensions (PROTOCOL §4) and `copy-data`/`home-directory` are typed; any other name keeps
/// its data raw.
public enum SFTPExtendedRequest: Hashable, Sendable {
    /// `posix-rename@openssh.com` (PROTOCOL §4.3).
    case posixRename(oldPath: String, newPath: String)
    /// `statvfs@openssh.com` (PROTOCOL §4.4); the reply is ``SFTPFileSystemStats``.
    case statvfs(path: String)
    /// `fstatvfs@openssh.com` (PROTOCOL §4.4); the reply is ``SFTPFileSystemStats``.
    case fstatvfs(handle: SFTPHandle)
    /// `hardlink@openssh.com` (PROTOCOL §4.5): link(oldpath, newpath).
    case hardlink(oldPath: String, newPath: String)
    /// `fsync@openssh.com` (PROTOCOL §4.6).
    case fsync(handle: SFTPHandle)
    /// `lsetstat@openssh.com` (PROTOCOL §4.7).
    case lsetstat(path: String, attributes: SFTPAttributes)
    /// `limits@openssh.com` (PROTOCOL §4.8); the reply is ``SFTPLimits``.
    case limits
    /// `expand-path@openssh.com` (PROTOCOL §4.9); the reply is NAME with one entry.
    case expandPath(path: String)
    /// `copy-data` (PROTOCOL §4.10): copy `length` bytes (0: to end of file) from one handle to another.
    case copyData(
        source: SFTPHandle, sourceOffset: UInt64, length: UInt64, destination: SFTPHandle, destinationOffset: UInt64)
    /// `home-directory` (PROTOCOL §4.11); the reply is NAME with one entry.
    case homeDirectory(username: String)
    /// `users-groups-by-id@openssh.com` (PROTOCOL §4.12); the reply is ``SFTPUserGroupNames``.
    case usersGroupsByID(uids: [UInt32], gids: [UInt32])
    /// Any other extended request, its data kept raw.
    case other(name: String, data: ByteBuffer)

    /// The extended-request name on the wire.
    public var name: String {
        switch self {
        case .posixRename: SFTPExtensionName.posixRename
        case .statvfs: SFTPExtensionName.statvfs
        case .fstatvfs: SFTPExtensionName.fstatvfs
        case .hardlink: SFTPExtensionName.hardlink
        case .fsync: SFTPExtensionName.fsync
        case .lsetstat: SFTPExtensionName.lsetstat
        case .limits: SFTPExtensionName.limits
        case .expandPath: SFTPExtensionName.expandPath
        case .copyData: SFTPExtensionName.copyData
        case .homeDirectory: SFTPExtensionName.homeDirectory
        case .usersGroupsByID: SFTPExtensionName.usersGroupsByID
        case .other(let name, _): name
        }
    }

    /// Reads the name and the fields that follow it, consuming `buffer` exactly.
    init(decoding buffer: inout ByteBuffer) throws(WireError) {
        let name = try buffer.readSSHUTF8String()
        switch name {
        case SFTPExtensionName.posixRename:
            self = .posixRename(oldPath: try buffer.readSSHUTF8String(), newPath: try buffer.readSSHUTF8String())
        case SFTPExtensionName.statvfs: self = .statvfs(path: try buffer.readSSHUTF8String())
        case SFTPExtensionName.fstatvfs: self = .fstatvfs(handle: try SFTPHandle(decoding: &buffer))
        case SFTPExtensionName.hardlink:
            self = .hardlink(oldPath: try buffer.readSSHUTF8String(), newPath: try buffer.readSSHUTF8String())
        case SFTPExtensionName.fsync: self = .fsync(handle: try SFTPHandle(decoding: &buffer))
        case SFTPExtensionName.lsetstat:
            self = .lsetstat(path: try buffer.readSSHUTF8String(), attributes: try SFTPAttributes(decoding: &buffer))
        case SFTPExtensionName.limits: self = .limits
        case SFTPExtensionName.expandPath: self = .expandPath(path: try buffer.readSSHUTF8String())
        case SFTPExtensionName.copyData:
            self = .copyData(
                source: try SFTPHandle(decoding: &buffer), sourceOffset: try buffer.readSSHUInt64(),
                length: try buffer.readSSHUInt64(), destination: try SFTPHandle(decoding: &buffer),
                destinationOffset: try buffer.readSSHUInt64())
        case SFTPExtensionName.homeDirectory: self = .homeDirectory(username: try buffer.readSSHUTF8String())
        case SFTPExtensionName.usersGroupsByID:
            self = .usersGroupsByID(uids: try Self.readIDs(&buffer), gids: try Self.readIDs(&buffer))
        default:
            self = .other(name: name, data: buffer.readSlice(length: buffer.readableBytes) ?? ByteBuffer())
        }
        try buffer.expectSSHEnd(of: "extended request \(name)")
    }

    /// Writes the name and the fields.
    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(name)
        switch self {
        case .posixRename(let old, let new), .hardlink(let old, let new):
            buffer.writeSSHString(old)
            buffer.writeSSHString(new)
        case .statvfs(let path), .expandPath(let path), .homeDirectory(let path):
            buffer.writeSSHString(path)
        case .fstatvfs(let handle), .fsync(let handle):
            handle.encode(into: &buffer)
        case .lsetstat(let path, let attributes):
            buffer.writeSSHString(path)
            attributes.encode(into: &buffer)
        case .limits:
            break
        case .copyData(let source, let sourceOffset, let length, let destination, let destinationOffset):
            source.encode(into: &buffer)
            buffer.writeSSHUInt64(sourceOffset)
            buffer.writeSSHUInt64(length)
            destination.encode(into: &buffer)
            buffer.writeSSHUInt64(destinationOffset)
        case .usersGroupsByID(let uids, let gids):
            for ids in [uids, gids] {
                buffer.writeSSHString { body in for id in ids { body.writeSSHUInt32(id) } }
            }
        case .other(_, let data):
            buffer.writeImmutableBuffer(data)
        }
    }

    /// A string packed with uint32 ids (PROTOCOL §4.12).
    private static func readIDs(_ buffer: inout ByteBuffer) throws(WireError) -> [UInt32] {
        var packed = try buffer.readSSHString()
        guard packed.readableBytes % 4 == 0 else {
            throw WireError(.invalidValue, "id list of \(packed.readableBytes) bytes is not whole uint32s")
        }
        var ids: [UInt32] = []
        ids.reserveCapacity(packed.readableBytes / 4)
        while packed.readableBytes > 0 { ids.append(try packed.readSSHUInt32()) }
        return ids
    }
}
