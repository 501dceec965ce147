import NIOCore
import SSHWire

/// File attributes, `ATTRS` (draft-ietf-secsh-filexfer-02 §5): every field optional.
///
/// A field that is nil is absent from the encoding. `uid` and `gid` travel together (`SSH_FILEXFER_ATTR_UIDGID`)
/// as do `accessTime` and `modificationTime` (`SSH_FILEXFER_ATTR_ACMODTIME`): each pair is sent only when both
/// halves are set.
public struct SFTPAttributes: Hashable, Sendable {
    /// `SSH_FILEXFER_ATTR_*` flag bits (§5).
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        /// `SSH_FILEXFER_ATTR_SIZE`.
        public static let size = Self(rawValue: 0x1)
        /// `SSH_FILEXFER_ATTR_UIDGID`.
        public static let uidGID = Self(rawValue: 0x2)
        /// `SSH_FILEXFER_ATTR_PERMISSIONS`.
        public static let permissions = Self(rawValue: 0x4)
        /// `SSH_FILEXFER_ATTR_ACMODTIME`.
        public static let accessModificationTime = Self(rawValue: 0x8)
        /// `SSH_FILEXFER_ATTR_EXTENDED`.
        public static let extended = Self(rawValue: 0x8000_0000)
        /// Every bit draft-02 defines.
        public static let known: Self = [.size, .uidGID, .permissions, .accessModificationTime, .extended]
    }

    /// The size in bytes.
    public var size: UInt64?
    /// The owner's user id.
    public var uid: UInt32?
    /// The owner's group id.
    public var gid: UInt32?
    /// The mode bits, file type included (`S_IFMT` bits as in POSIX `st_mode`).
    public var permissions: UInt32?
    /// The access time, seconds since 1970-01-01 UTC.
    public var accessTime: UInt32?
    /// The modification time, seconds since 1970-01-01 UTC.
    public var modificationTime: UInt32?
    /// Extended attributes (§5: `extended_type`, `extended_data`).
    public var extended: [SFTPExtensionPair]

    /// Attributes with the given fields; nil fields are absent.
    public init(
        size: UInt64? = nil, uid: UInt32? = nil, gid: UInt32? = nil, permissions: UInt32? = nil,
        accessTime: UInt32? = nil, modificationTime: UInt32? = nil, extended: [SFTPExtensionPair] = []
    ) {
        self.size = size
        self.uid = uid
        self.gid = gid
        self.permissions = permissions
        self.accessTime = accessTime
        self.modificationTime = modificationTime
        self.extended = extended
    }

    /// No attributes at all (flags 0).
    public static let none = SFTPAttributes()

    /// The flags this value encodes with.
    public var flags: Flags {
        var flags: Flags = []
        if size != nil { flags.insert(.size) }
        if uid != nil, gid != nil { flags.insert(.uidGID) }
        if permissions != nil { flags.insert(.permissions) }
        if accessTime != nil, modificationTime != nil { flags.insert(.accessModificationTime) }
        if !extended.isEmpty { flags.insert(.extended) }
        return flags
    }

    /// The smallest encoding: the flags word alone.
    static let minimumEncodedLength = 4

    /// Reads ATTRS (§5). Flag bits draft-02 does not define throw: their fields' lengths are unknown.
    public init(decoding buffer: inout ByteBuffer) throws(WireError) {
        let raw = try buffer.readSSHUInt32()
        let flags = Flags(rawValue: raw)
        guard Flags.known.isSuperset(of: flags) else {
            throw WireError(.invalidValue, "ATTRS flags 0x\(String(raw, radix: 16)) hold undefined bits")
        }
        self.init()
        if flags.contains(.size) { size = try buffer.readSSHUInt64() }
        if flags.contains(.uidGID) {
            uid = try buffer.readSSHUInt32()
            gid = try buffer.readSSHUInt32()
        }
        if flags.contains(.permissions) { permissions = try buffer.readSSHUInt32() }
        if flags.contains(.accessModificationTime) {
            accessTime = try buffer.readSSHUInt32()
            modificationTime = try buffer.readSSHUInt32()
        }
        if flags.contains(.extended) {
            let count = try buffer.readSSHCount(minimumElementSize: 8, of: "ATTRS extended")
            extended.reserveCapacity(count)
            for _ in 0..<count { extended.append(try SFTPExtensionPair(decoding: &buffer)) }
        }
    }

    /// Writes ATTRS (§5).
    public func encode(into buffer: inout ByteBuffer) {
        let flags = flags
        buffer.writeSSHUInt32(flags.rawValue)
        if let size { buffer.writeSSHUInt64(size) }
        if flags.contains(.uidGID), let uid, let gid {
            buffer.writeSSHUInt32(uid)
            buffer.writeSSHUInt32(gid)
        }
        if let permissions { buffer.writeSSHUInt32(permissions) }
        if flags.contains(.accessModificationTime), let accessTime, let modificationTime {
            buffer.writeSSHUInt32(accessTime)
            buffer.writeSSHUInt32(modificationTime)
        }
        if !extended.isEmpty {
            buffer.writeSSHUInt32(UInt32(truncatingIfNeeded: extended.count))
            for pair in extended { pair.encode(into: &buffer) }
        }
    }
}
