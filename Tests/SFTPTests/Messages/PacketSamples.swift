import NIOCore
import SFTP

/// Sample packets covering every request, every extended request, every response, INIT and VERSION.
enum PacketSamples {
    static let handle = SFTPHandle(bytes: [0, 0, 0, 7])!
    static let longHandle = SFTPHandle(bytes: [UInt8](repeating: 0xAB, count: SFTPHandle.maximumLength))!
    static let fullAttributes = SFTPAttributes(
        size: 0x0102_0304_0506_0708, uid: 1000, gid: 100, permissions: 0o100644, accessTime: 1_700_000_000,
        modificationTime: 1_700_000_123,
        extended: [
            SFTPExtensionPair(name: "acl@example.com", text: "user::rw-"),
            SFTPExtensionPair(name: "empty@example.com", data: ByteBuffer()),
        ])

    static let attributeVariants: [SFTPAttributes] = [
        .none, SFTPAttributes(size: 0), SFTPAttributes(uid: 0, gid: 0), SFTPAttributes(permissions: 0o40755),
        SFTPAttributes(accessTime: 0, modificationTime: UInt32.max), fullAttributes,
    ]

    static let openSSHExtensions: [SFTPExtensionPair] = [
        (SFTPExtensionName.posixRename, "1"), (SFTPExtensionName.statvfs, "2"), (SFTPExtensionName.fstatvfs, "2"),
        (SFTPExtensionName.hardlink, "1"), (SFTPExtensionName.fsync, "1"), (SFTPExtensionName.lsetstat, "1"),
        (SFTPExtensionName.limits, "1"), (SFTPExtensionName.expandPath, "1"), (SFTPExtensionName.copyData, "1"),
        (SFTPExtensionName.homeDirectory, "1"), (SFTPExtensionName.usersGroupsByID, "1"),
    ].map { SFTPExtensionPair(name: $0.0, text: $0.1) }

    static let extendedRequests: [SFTPExtendedRequest] = [
        .posixRename(oldPath: "/a/old", newPath: "/a/new"),
        .statvfs(path: "/"),
        .fstatvfs(handle: handle),
        .hardlink(oldPath: "target", newPath: "link"),
        .fsync(handle: handle),
        .lsetstat(path: "link", attributes: fullAttributes),
        .limits,
        .expandPath(path: "~/x"),
        .copyData(source: handle, sourceOffset: 1, length: 0, destination: longHandle, destinationOffset: 1 << 40),
        .homeDirectory(username: "root"),
        .usersGroupsByID(uids: [0, 1000, UInt32.max], gids: []),
        .usersGroupsByID(uids: [], gids: [5]),
        .other(name: "check-file-name", data: ByteBuffer(bytes: [0, 0, 0, 1, 0x41])),
        .other(name: "x@example.com", data: ByteBuffer()),
    ]

    static let requests: [SFTPRequest] =
        attributeVariants.map { .open(path: "dir/ünïcode file", flags: [.read, .write, .create], attributes: $0) }
        + [
            .open(path: "", flags: SFTPOpenFlags(rawValue: 0xFFFF_FFFF), attributes: .none),
            .close(handle: longHandle),
            .read(handle: handle, offset: UInt64.max, length: 261_120),
            .write(handle: handle, offset: 32768, data: ByteBuffer(bytes: [UInt8](0...255))),
            .write(handle: handle, offset: 0, data: ByteBuffer()),
            .lstat(path: "/etc/passwd"),
            .fstat(handle: handle),
            .setstat(path: "f", attributes: SFTPAttributes(permissions: 0o600)),
            .fsetstat(handle: handle, attributes: SFTPAttributes(size: 10)),
            .opendir(path: "."),
            .readdir(handle: handle),
            .remove(path: "f"),
            .mkdir(path: "d", attributes: SFTPAttributes(permissions: 0o755)),
            .rmdir(path: "d"),
            .realpath(path: "."),
            .stat(path: "/"),
            .rename(oldPath: "a", newPath: "b"),
            .readlink(path: "l"),
            .symlink(first: "target", second: "link"),
        ] + extendedRequests.map { .extended($0) }

    static let responses: [SFTPResponse] = [
        .status(.success),
        .status(SFTPStatus(code: .noSuchFile, message: "No such file", languageTag: "en")),
        .status(SFTPStatus(code: SFTPStatusCode(rawValue: 99))),
        .handle(handle),
        .handle(longHandle),
        .data(ByteBuffer(bytes: [UInt8](repeating: 7, count: 300))),
        .data(ByteBuffer()),
        .name([]),
        .name([SFTPNameEntry(filename: "/home/user", longname: "/home/user")]),
        .name(
            attributeVariants.map {
                SFTPNameEntry(filename: "f\($0.flags.rawValue)", longname: "-rw-r--r-- 1 u g 0 Jan 1 f", attributes: $0)
            }),
        .attributes(fullAttributes),
        .attributes(.none),
        .extendedReply(sampleLimits.encoded()),
        .extendedReply(ByteBuffer()),
    ]

    static let sampleLimits = SFTPLimits(
        maximumPacketLength: 262_144, maximumReadLength: 261_120, maximumWriteLength: 261_120,
        maximumOpenHandles: 1019)
    static let sampleStats = SFTPFileSystemStats(
        blockSize: 4096, fragmentSize: 4096, blocks: 1 << 30, freeBlocks: 1 << 29, availableBlocks: 1 << 28,
        files: 1 << 20, freeFiles: 1 << 19, availableFiles: 1 << 18, fileSystemID: 0xDEAD_BEEF,
        flags: [.readOnly, .noSetUID], maximumNameLength: 255)
    static let sampleNames = SFTPUserGroupNames(userNames: ["root", "", "user"], groupNames: ["wheel"])

    static let all: [SFTPPacket] =
        [
            .initialize(version: 3, extensions: []),
            .initialize(version: 3, extensions: [SFTPExtensionPair(name: "x@y", data: ByteBuffer(bytes: [0, 1]))]),
            .version(version: 3, extensions: openSSHExtensions),
            .version(version: 6, extensions: []),
        ]
        + requests.enumerated().map { .request(id: UInt32($0.offset) &* 0x0101_0101, $0.element) }
        + responses.enumerated().map { .response(id: UInt32.max - UInt32($0.offset), $0.element) }
}

extension SFTPPacket {
    /// The encoded body (type byte onwards) as bytes.
    var bodyBytes: [UInt8] {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
