import NIOCore
import SSHWire

/// An SFTP version 3 server (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions (PROTOCOL §4),
/// serving an ``SFTPFileSystem`` over any ``SFTPByteStream``. It knows nothing of SSH: the SSH server hands
/// it a channel's bytes, `paramiko sftp-server` its standard input and output.
///
/// Requests are answered in the order they arrive, one at a time, while the client keeps many in flight.
/// Handles are per session and bounded (``SFTPServerOptions/maximumOpenHandles``); every error becomes
/// a STATUS (§7); a frame over 256 KiB ends the session.
public final class SFTPServer: Sendable {
    /// What is served.
    public let fileSystem: any SFTPFileSystem
    /// The limits held and announced.
    public let options: SFTPServerOptions

    /// A server of `fileSystem`.
    public init(fileSystem: any SFTPFileSystem, options: SFTPServerOptions = .init()) {
        self.fileSystem = fileSystem
        self.options = options
    }

    /// The extensions announced in VERSION: the file system's, `limits@openssh.com` and `copy-data`, with
    /// OpenSSH's version numbers (PROTOCOL §4).
    public var announcedExtensions: [SFTPExtensionPair] {
        let supported = fileSystem.extensions.union([SFTPExtensionName.limits, SFTPExtensionName.copyData])
        let order: [(String, String)] = [
            (SFTPExtensionName.posixRename, "1"), (SFTPExtensionName.statvfs, "2"), (SFTPExtensionName.fstatvfs, "2"),
            (SFTPExtensionName.hardlink, "1"), (SFTPExtensionName.fsync, "1"), (SFTPExtensionName.lsetstat, "1"),
            (SFTPExtensionName.limits, "1"), (SFTPExtensionName.expandPath, "1"), (SFTPExtensionName.copyData, "1"),
            (SFTPExtensionName.homeDirectory, "1"), (SFTPExtensionName.usersGroupsByID, "1"),
        ]
        return order.filter { supported.contains($0.0) }.map { SFTPExtensionPair(name: $0.0, text: $0.1) }
    }

    /// Serves one session until the client's EOF, then closes every handle it left open and finishes the
    /// outbound stream. Throws when the session ends on a protocol error (a bad frame, no INIT first).
    public func run(over stream: SFTPByteStream) async throws {
        let session = SFTPServerSession(server: self, outbox: SFTPOutbox(writer: stream.writer))
        var framer = SFTPFramer()
        var failure: (any Error)?
        do {
            try await stream.forEachInboundChunk { chunk in
                framer.append(chunk)
                while let frame = try framer.nextFrame() {
                    try await session.handle(frame)
                }
            }
        } catch {
            failure = error
        }
        await session.closeAll()
        try? await session.outbox.flush()
        session.outbox.close()
        await stream.writer.finish()
        if let failure { throw failure }
    }
}
