import SFTP
import SSHClient

/// Opens an SFTP session with `destination` over SSH for `paramiko sftp [user@]host`: connects, authenticates
/// and starts the `sftp` subsystem, returning the client and what closes the connection after the client.
///
/// `destination` is `host` or `user@host` (a path and an `sftp://` URI's port are taken off before, the port
/// into `port`); `port` is `-P`'s (or the URI's), `identityFiles` the `-i` files in order and `options` the
/// `-o` options as typed (`Name=value` or `Name value`).
func openRemoteSFTP(destination: String, port: Int?, identityFiles: [String], options: [String]) async throws
    -> (SFTPClient, close: @Sendable () async -> Void)
{
    let settings = try ClientConnection.settings(
        destination: destination, login: nil, port: port, lines: options + identityFiles.map { "IdentityFile \($0)" },
        configFile: nil)
    let client = try await ClientConnection.connect(settings, quiet: false, verbosity: LogVerbosity(logLevel: settings.logLevel))
    do {
        let sftp = try await client.openSFTP()
        return (sftp, { await client.close() })
    } catch {
        await client.close()
        throw error
    }
}
