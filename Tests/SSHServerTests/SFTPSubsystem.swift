import SFTP
import SSHClient
import SSHServer

/// The `sftp` subsystem serving `root`, as `paramiko serve --root` registers it.
func sftpSubsystem(root: String) -> SessionHandler {
    { channel, session in
        guard let fileSystem = try? LocalFileSystem(root: root) else { return 1 }
        do {
            let options = SFTPServerOptions(
                clientIdentification: session.connection.clientVersion, serverIdentification: session.connection.serverVersion)
            try await SFTPServer(fileSystem: fileSystem, options: options).run(over: channel.sftpByteStream)
            return 0
        } catch {
            return 1
        }
    }
}
