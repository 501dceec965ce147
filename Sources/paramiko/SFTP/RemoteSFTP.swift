import SFTP
import SSHClient
import SSHConfig

/// How `paramiko sftp` reaches the host: OpenSSH sftp's options that are ssh's.
struct RemoteSFTPOptions {
    /// `-P` (or the URI's port).
    var port: Int?
    /// `-i` files, in order.
    var identityFiles: [String] = []
    /// `-o` options as typed (`Name=value` or `Name value`).
    var options: [String] = []
    /// `-F`.
    var configFile: String?
    /// `-4`, `-6`, `-C`, `-c` and `-J` as ssh_config lines.
    var lines: [String] = []
    /// `-v`, counted.
    var verbose = 0
    /// `-s`: the subsystem, or the server's path.
    var subsystem = "sftp"
    /// `-S`: the ssh program to carry the session instead of our client.
    var program: String?

    /// The ssh_config lines, command line first.
    var configurationLines: [String] { options + identityFiles.map { "IdentityFile \($0)" } + lines }

    /// The arguments for `-S`'s program, as OpenSSH's sftp gives them to ssh.
    func programArguments(_ program: String, destination: String) -> [String] {
        var arguments = [
            program, "-oForwardX11 no", "-oPermitLocalCommand no", "-oClearAllForwardings yes", "-oForwardAgent no",
        ]
        arguments += Array(repeating: "-v", count: verbose)
        if let configFile { arguments += ["-F", configFile] }
        if let port { arguments.append("-oPort \(port)") }
        arguments += identityFiles.flatMap { ["-i", $0] }
        arguments += options.flatMap { ["-o", $0] }
        arguments += lines.map { "-o" + $0 }
        arguments += subsystem.contains("/") ? ["--", destination, subsystem] : ["-s", "--", destination, subsystem]
        return arguments
    }
}

/// Opens an SFTP session with `destination` (`host` or `user@host`, a path and an `sftp://` URI's port
/// taken off before) for `paramiko sftp [user@]host`: over SSH, connecting, authenticating and starting
/// the subsystem; or over `-S`'s program. Returns the client and what closes the connection after it.
func openRemoteSFTP(destination: String, _ remote: RemoteSFTPOptions, client options: SFTPClientOptions) async throws
    -> (SFTPClient, close: @Sendable () async -> Void)
{
    if let program = remote.program {
        let process: SFTPServerProcess
        do {
            process = try SFTPServerProcess.start(words: remote.programArguments(program, destination: destination))
        } catch {
            throw SFTPError(.noConnection, error.message)
        }
        do {
            let sftp = try await SFTPClient.connect(over: process.stream, options: options)
            return (sftp, { await sftp.close(); await process.wait() })
        } catch {
            await process.wait()
            throw error
        }
    }
    let settings = try ClientConnection.settings(
        destination: destination, login: nil, port: remote.port, lines: remote.configurationLines,
        configFile: remote.configFile)
    let verbosity = LogVerbosity(logLevel: settings.logLevel, verbose: remote.verbose)
    // A master sharing its connection (ControlPath) carries the session, as it does OpenSSH sftp's ssh.
    if let path = settings.controlPath, [.no, .auto, .autoask].contains(settings.controlMaster) {
        let mux = MuxClient(
            path: path, settings: settings, verbosity: verbosity, logger: ClientConnection.logger(verbosity))
        if let shared = mux.openSubsystem(remote.subsystem) {
            let stream = SFTPPipeStream.make(readingFrom: shared.input, writingTo: shared.output)
            let sftp = try await SFTPClient.connect(over: stream, options: options)
            return (sftp, { await sftp.close(); withExtendedLifetime(shared.socket) {} })
        }
    }
    let client = try await ClientConnection.connect(settings, quiet: false, verbosity: verbosity)
    do {
        let sftp = try await client.openSFTP(options: options, subsystem: remote.subsystem)
        return (sftp, { await client.close() })
    } catch {
        await client.close()
        throw error
    }
}
