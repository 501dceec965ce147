import NIOCore
import SSHWire

/// The reply to `statvfs@openssh.com` and `fstatvfs@openssh.com` (OpenSSH PROTOCOL §4.4): statvfs(2) fields.
public struct SFTPFileSystemStats: Hashable, Sendable {
    /// `f_flag` bits (PROTOCOL §4.4).
    public struct Flags: OptionSet, Hashable, Sendable {
        public let rawValue: UInt64
        public init(rawValue: UInt64) { self.rawValue = rawValue }
        /// `SSH_FXE_STATVFS_ST_RDONLY`: mounted read-only.
        public static let readOnly = Self(rawValue: 0x1)
        /// `SSH_FXE_STATVFS_ST_NOSUID`: setuid bits ignored.
        public static let noSetUID = Self(rawValue: 0x2)
    }

    /// `f_bsize`: file system block size.
    public var blockSize: UInt64
    /// `f_frsize`: fundamental block size.
    public var fragmentSize: UInt64
    /// `f_blocks`: blocks in the file system, in `fragmentSize` units.
    public var blocks: UInt64
    /// `f_bfree`: free blocks.
    public var freeBlocks: UInt64
    /// `f_bavail`: free blocks for unprivileged users.
    public var availableBlocks: UInt64
    /// `f_files`: inodes.
    public var files: UInt64
    /// `f_ffree`: free inodes.
    public var freeFiles: UInt64
    /// `f_favail`: free inodes for unprivileged users.
    public var availableFiles: UInt64
    /// `f_fsid`: file system id.
    public var fileSystemID: UInt64
    /// `f_flag`: mount flags.
    public var flags: Flags
    /// `f_namemax`: longest file name.
    public var maximumNameLength: UInt64

    /// Creates the statistics.
    public init(
        blockSize: UInt64, fragmentSize: UInt64, blocks: UInt64, freeBlocks: UInt64, availableBlocks: UInt64,
        files: UInt64, freeFiles: UInt64, availableFiles: UInt64, fileSystemID: UInt64, flags: Flags,
        maximumNameLength: UInt64
    ) {
        self.blockSize = blockSize
        self.fragmentSize = fragmentSize
        self.blocks = blocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.files = files
        self.freeFiles = freeFiles
        self.availableFiles = availableFiles
        self.fileSystemID = fileSystemID
        self.flags = flags
        self.maximumNameLength = maximumNameLength
    }

    /// Decodes the data of an EXTENDED_REPLY, consuming it exactly.
    public init(decoding reply: ByteBuffer) throws(WireError) {
        var buffer = reply
        var values: [UInt64] = []
        values.reserveCapacity(11)
        for _ in 0..<11 { values.append(try buffer.readSSHUInt64()) }
        try buffer.expectSSHEnd(of: "statvfs@openssh.com reply")
        self.init(
            blockSize: values[0], fragmentSize: values[1], blocks: values[2], freeBlocks: values[3],
            availableBlocks: values[4], files: values[5], freeFiles: values[6], availableFiles: values[7],
            fileSystemID: values[8], flags: Flags(rawValue: values[9]), maximumNameLength: values[10])
    }

    /// The data of an EXTENDED_REPLY.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        for value in [
            blockSize, fragmentSize, blocks, freeBlocks, availableBlocks, files, freeFiles, availableFiles,
            fileSystemID, flags.rawValue, maximumNameLength,
        ] { buffer.writeSSHUInt64(value) }
        return buffer
    }
}
