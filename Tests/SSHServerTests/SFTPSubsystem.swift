import SFTP
import SSHClient
import SSHServer

/// The `sftp` subsystem serving `root`, as `paramiko serve --root` registers it.
func sftpSubsystem(root: String) -> SessionHandler {
    { channel, _ in
        guard let fileSystem = try? LocalFileSystem(root: root) else { return 1 }
        do {
            try await SFTPServer(fileSystem: fileSystem).run(over: channel.sftpByteStream)
            return 0
        } catch {
            return 1
        }
    }
}
