import ArgumentParser
import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `paramiko sftp`: OpenSSH sftp(1)'s file transfer program, with its commands, batch mode and output, over
/// a local server (`-D sftp_server_command`) or an SSH connection to `[user@]host`.
///
/// Exit status: 0, 1 when a batch command failed (or the start path could not be fetched), 255 when the
/// session could not be opened or was lost.
struct SFTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp",
        abstract: "Transfer files with OpenSSH sftp's commands, interactively or from a batch file.",
        discussion: """
            Commands are read from the terminal with an "sftp> " prompt, from standard input, or from a batch \
            file (-b). In batch mode each command is echoed, and the first one that fails ends the run with \
            status 1 unless its line starts with "-". Type "help" for the commands.
            """
    )

    @Option(
        name: .customShort("b", allowingJoined: true),
        help: ArgumentHelp(
            "Read commands from this file (- for standard input) and stop at the first failure.",
            valueName: "batchfile"))
    var batchFile: String?

    @Option(
        name: .customShort("D", allowingJoined: true),
        help: ArgumentHelp(
            "Talk to this local sftp server command over its standard input and output instead of "
                + "connecting with SSH (split into words as OpenSSH does, not by a shell).",
            valueName: "sftp_server_command"))
    var serverCommand: String?

    @Option(name: .customShort("P", allowingJoined: true), help: ArgumentHelp("The SSH port.", valueName: "port"))
    var port: Int?

    @Option(
        name: .customShort("i", allowingJoined: true),
        help: ArgumentHelp("A private key to authenticate with (repeatable).", valueName: "identity_file"))
    var identityFiles: [String] = []

    @Option(
        name: .customShort("o", allowingJoined: true),
        help: ArgumentHelp("An ssh_config option, as Name=value (repeatable).", valueName: "ssh_option"))
    var sshOptions: [String] = []

    @Option(
        name: .customShort("B", allowingJoined: true),
        help: ArgumentHelp("Bytes per read or write request.", valueName: "buffer_size"))
    var bufferSize: Int?

    @Option(
        name: .customShort("l", allowingJoined: true),
        help: ArgumentHelp("Limit each transfer to this many Kbit/s.", valueName: "limit"))
    var bandwidthLimit: Int?

    @Option(
        name: .customShort("R", allowingJoined: true),
        help: ArgumentHelp("Requests kept in flight per transfer.", valueName: "num_requests"))
    var requests: Int?

    @Flag(name: .customShort("q"), help: "Quiet: no progress meter and no notices.")
    var quiet = false

    @Flag(name: .customShort("N"), help: "Not quiet, even in batch mode.")
    var noisy = false

    @Flag(name: .customShort("r"), help: "Copy directories recursively on every get and put.")
    var recursive = false

    @Flag(name: .customShort("p"), help: "Preserve permissions and times on every get and put.")
    var preserve = false

    @Flag(name: .customShort("a"), help: "Resume partial transfers on every get and put.")
    var resume = false

    @Flag(name: .customShort("f"), help: "Have every copy flushed to disk (uploads: when the server offers fsync).")
    var fsync = false

    @Flag(name: .customShort("v"), help: "Tell what the connection does, as ssh -v does (repeatable).")
    var verbosity: Int

    @Flag(name: .customShort("4"), help: "Use IPv4 addresses only.")
    var ipv4 = false

    @Flag(name: .customShort("6"), help: "Use IPv6 addresses only.")
    var ipv6 = false

    @Flag(name: .customShort("C"), help: "Compress.")
    var compression = false

    @Option(name: .customShort("c", allowingJoined: true), help: ArgumentHelp("Ciphers, in order of preference.", valueName: "cipher"))
    var cipher: String?

    @Option(name: .customShort("F", allowingJoined: true), help: ArgumentHelp("The ssh_config file (none: no file).", valueName: "ssh_config"))
    var configFile: String?

    @Option(name: .customShort("J", allowingJoined: true), help: ArgumentHelp("Jump hosts, [user@]host[:port][,...].", valueName: "destination"))
    var jump: String?

    @Option(
        name: .customShort("S", allowingJoined: true),
        help: ArgumentHelp("Carry the session over this ssh program instead of our own client.", valueName: "program"))
    var program: String?

    @Option(
        name: .customShort("s", allowingJoined: true),
        help: ArgumentHelp("The SFTP subsystem, or the server's path to run as a command.", valueName: "subsystem"))
    var subsystem: String?

    @Argument(help: ArgumentHelp("[user@]host[:path] or sftp://[user@]host[:port][/path]", valueName: "destination"))
    var destination: String?

    func validate() throws {
        if serverCommand == nil && destination == nil {
            throw ValidationError("Give a destination, or -D with a local sftp server command.")
        }
        if serverCommand != nil && destination != nil {
            throw ValidationError("-D runs a local server: it takes no destination.")
        }
        if let port, !(1...65535).contains(port) { throw ValidationError("Bad port \"\(port)\"") }
        if let bandwidthLimit, !(1...(100 * 1024 * 1024)).contains(bandwidthLimit) {
            throw ValidationError("Invalid limit \"\(bandwidthLimit)\"")
        }
        if let bufferSize, !(1...(255 * 1024)).contains(bufferSize) {
            throw ValidationError("Invalid buffer size \"\(bufferSize)\"")
        }
        if let requests, !(1...8192).contains(requests) {
            throw ValidationError("Invalid number of requests \"\(requests)\"")
        }
    }

    func run() async throws {
        let console = SFTPConsole()
        let input: SFTPLineReader
        if let batchFile, batchFile != "-" {
            do {
                input = try SFTPLineReader.file(batchFile)
            } catch {
                console.error("\(error.text) (\(batchFile)).")
                throw ExitCode(255)
            }
        } else {
            input = SFTPLineReader.standardInput()
        }
        let batch = batchFile != nil
        let interactive = !batch && isatty(STDIN_FILENO) == 1
        var settings = SFTPShell.Settings()
        settings.quiet = (batch || quiet) && !noisy
        settings.showProgress = !batch && !quiet && isatty(STDOUT_FILENO) == 1 && isatty(STDERR_FILENO) == 1
        settings.stopOnError = batch
        settings.prompt = interactive
        settings.echoCommands = !interactive
        settings.recursive = recursive
        settings.preserve = preserve
        settings.resume = resume
        settings.fsync = fsync
        settings.requestsInFlight = requests
        settings.blockSize = bufferSize
        settings.bandwidthLimit = bandwidthLimit.map(SFTPBandwidthLimit.kilobitsPerSecond)

        let client: SFTPClient
        let close: @Sendable () async -> Void
        var startPath: String?
        if let serverCommand {
            (client, close) = try await openLocalServer(serverCommand, console: console)
            if !settings.quiet { console.error("Attached to \(serverCommand).") }
        } else {
            guard let text = destination, let parsed = SFTPDestination(text) else {
                console.error("Missing hostname")
                throw ExitCode(1)
            }
            do {
                var remote = RemoteSFTPOptions()
                remote.port = port ?? parsed.port
                remote.identityFiles = identityFiles
                remote.options = sshOptions
                remote.configFile = configFile
                remote.verbose = verbosity
                remote.subsystem = subsystem ?? "sftp"
                remote.program = program
                if ipv4 { remote.lines.append("AddressFamily inet") }
                if ipv6 { remote.lines.append("AddressFamily inet6") }
                if compression { remote.lines.append("Compression yes") }
                if let cipher { remote.lines.append("Ciphers \(cipher)") }
                if let jump { remote.lines.append("ProxyJump \(jump)") }
                var clientOptions = SFTPClientOptions()
                if let requests { clientOptions.maximumRequestsInFlight = requests }
                (client, close) = try await openRemoteSFTP(
                    destination: parsed.userAndHost, remote, client: clientOptions)
            } catch {
                console.error("\(error)")
                throw ExitCode(255)
            }
            startPath = parsed.path
            let host = parsed.userAndHost.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
            if !settings.quiet { console.error("Connected to \(host).") }
        }

        let shell: SFTPShell
        do {
            shell = try await SFTPShell(client: client, console: console, settings: settings)
        } catch {
            console.error("Need cwd")
            await close()
            throw ExitCode(255)
        }
        let status: Int32
        if let startPath {
            status = await start(at: startPath, shell: shell, input: input)
        } else {
            status = await shell.run(input)
        }
        await close()
        if status != 0 { throw ExitCode(status) }
    }

    /// Starts the `-D` server and opens the session over its pipes.
    private func openLocalServer(_ command: String, console: SFTPConsole) async throws
        -> (SFTPClient, @Sendable () async -> Void)
    {
        let server: SFTPServerProcess
        do {
            server = try SFTPServerProcess.start(command)
        } catch {
            console.error(error.message)
            throw ExitCode(255)
        }
        var options = SFTPClientOptions()
        if let requests { options.maximumRequestsInFlight = requests }
        let client: SFTPClient
        do {
            client = try await SFTPClient.connect(over: server.stream, options: options)
        } catch {
            console.error("Connection closed")
            await server.wait()
            throw ExitCode(255)
        }
        return (
            client,
            {
                await client.close()
                await server.wait()
            }
        )
    }

    /// A destination with a path: a directory becomes the working directory before the commands run; a file
    /// is fetched into the local working directory and ends the run.
    private func start(at path: String, shell: SFTPShell, input: SFTPLineReader) async -> Int32 {
        let target = shell.absolute(path)
        if await shell.remoteIsDirectory(target) {
            if !shell.settings.quiet { shell.console.print("Changing to: \(target)") }
            guard await shell.changeDirectory(target) else { return 1 }
            return await shell.run(input)
        }
        var flags = SFTPShellCommand.TransferFlags()
        flags.resume = resume
        return await shell.get(target, to: nil, flags) ? 0 : 1
    }
}
