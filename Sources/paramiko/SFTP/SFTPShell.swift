import SFTP

/// The interpreter of `paramiko sftp`: runs OpenSSH sftp(1)'s commands against an open ``SFTPClient``, with
/// OpenSSH's output and error wording, however the session was opened (`-D`'s local server, or SSH).
///
/// It keeps the remote working directory itself and sends every path absolute, as OpenSSH's sftp does; the
/// local working directory is the process's own. In batch mode the first failing command ends the run with
/// status 1, unless its line starts with `-`.
final class SFTPShell {
    /// How the shell behaves; the command line's flags set it.
    struct Settings: Sendable {
        /// Leave out the "Fetching…", "Uploading…", "Removing…" notices (batch mode and `-q`).
        var quiet = false
        /// Draw a progress meter during single-file transfers.
        var showProgress = false
        /// End at the first failing command (batch mode).
        var stopOnError = false
        /// Echo each command as `sftp> command` (input that is not a terminal).
        var echoCommands = false
        /// Print the `sftp> ` prompt before reading a line (a terminal, no batch file).
        var prompt = false
        /// Transfer directories recursively even without `-r` (`sftp -r`).
        var recursive = false
        /// Preserve permissions and times even without `-p` (`sftp -p`).
        var preserve = false
        /// Resume transfers even without `-a` (`sftp -a`).
        var resume = false
        /// Flush every copy to disk (`sftp -f`).
        var fsync = false
        /// Requests in flight per transfer (`-R`), or the client's default.
        var requestsInFlight: Int?
        /// Bytes per READ or WRITE (`-B`), or the server's limits.
        var blockSize: Int?
        /// Each transfer's rate cap (`-l`).
        var bandwidthLimit: SFTPBandwidthLimit?
    }

    /// What running one line led to.
    enum Outcome: Equatable {
        /// Go on to the next line.
        case proceed
        /// `quit`, `exit` or `bye`.
        case quit
        /// A failure in batch mode: stop with status 1.
        case abort
    }

    /// The session.
    let client: SFTPClient
    /// Where output goes.
    let console: SFTPConsole
    /// The shell's behaviour; `progress` toggles ``Settings/showProgress``.
    var settings: Settings
    /// The remote working directory, absolute.
    var remoteDirectory: String
    /// The remote directory the session started in, where a bare `cd` returns.
    let startDirectory: String
    /// Set once a request failed because the session with the server is gone.
    var connectionLost = false

    /// A shell over `client` starting in the server's working directory (REALPATH of `.`).
    init(client: SFTPClient, console: SFTPConsole, settings: Settings) async throws {
        self.client = client
        self.console = console
        self.settings = settings
        let start = try await client.realpath(".")
        self.remoteDirectory = start
        self.startDirectory = start
    }

    // MARK: Running

    /// Reads and runs lines until the input ends, `quit`, or a failure in batch mode. Returns the exit
    /// status: 0, 1 after a batch failure, 255 when the session was lost.
    func run(_ input: SFTPLineReader) async -> Int32 {
        while true {
            if settings.prompt { console.printRaw("sftp> ") }
            guard let line = input.readLine() else {
                if settings.prompt { console.printRaw("\n") }
                return 0
            }
            let outcome = await execute(line)
            if connectionLost {
                console.error("Connection closed")
                return 255
            }
            switch outcome {
            case .proceed: continue
            case .quit: return 0
            case .abort: return 1
            }
        }
    }

    /// Parses and runs one line (`parse_dispatch_command` in sftp.c): a parse error is reported first, then
    /// the line is echoed when commands are, then the command runs.
    func execute(_ text: String) async -> Outcome {
        let line = SFTPShellLine(text)
        if case .invalid(let message) = line.content { console.error(message) }
        if settings.echoCommands && line.echoes { console.print("sftp> \(text)") }
        let stopOnError = settings.stopOnError && !line.ignoresErrors
        let succeeded: Bool
        var quitting = false
        switch line.content {
        case .blank:
            succeeded = true
        case .invalid:
            succeeded = false
        case .command(let command):
            quitting = command == .quit
            succeeded = await perform(command, stopAtFirstError: stopOnError)
        }
        if stopOnError && !succeeded { return .abort }
        return quitting ? .quit : .proceed
    }

    /// Runs `command`; false when it failed. With `stopAtFirstError`, commands working on several paths
    /// stop at the first that fails.
    func perform(_ command: SFTPShellCommand, stopAtFirstError: Bool) async -> Bool {
        switch command {
        case .get(let source, let destination, let flags):
            return await get(source, to: destination, flags)
        case .put(let source, let destination, let flags):
            return await put(source, to: destination, flags)
        case .copy(let from, let to):
            return await copy(absolute(from), to: absolute(to))
        case .rename(let from, let to, let legacy):
            return await rename(absolute(from), to: absolute(to), legacy: legacy)
        case .link(let target, let path, let symbolic):
            return await link(target, at: path, symbolic: symbolic)
        case .remove(let pattern):
            return await remove(pattern, stopAtFirstError: stopAtFirstError)
        case .makeDirectory(let path):
            return await makeDirectory(absolute(path))
        case .removeDirectory(let path):
            return await removeDirectory(absolute(path))
        case .changeDirectory(let path):
            return await changeDirectory(path)
        case .list(let path, let flags):
            return await list(path, flags)
        case .diskFree(let path, let humanReadable, let inodes):
            return await diskFree(path, humanReadable: humanReadable, inodes: inodes)
        case .changeMode(let mode, let path, let noFollow):
            return await changeMode(mode, path, noFollow: noFollow, stopAtFirstError: stopAtFirstError)
        case .changeOwner(let uid, let path, let noFollow):
            return await changeOwnership(
                uid: uid, gid: nil, path, noFollow: noFollow, stopAtFirstError: stopAtFirstError)
        case .changeGroup(let gid, let path, let noFollow):
            return await changeOwnership(
                uid: nil, gid: gid, path, noFollow: noFollow, stopAtFirstError: stopAtFirstError)
        case .localChangeDirectory(let path):
            return localChangeDirectory(path)
        case .localMakeDirectory(let path):
            return localMakeDirectory(path)
        case .printLocalDirectory:
            return printLocalDirectory()
        case .localUmask(let value):
            return localUmask(value)
        case .localList(let arguments):
            if let message = await SFTPLocalShell.list(arguments) { console.error(message) }
            return true
        case .shell(let commandLine):
            if let message = await SFTPLocalShell.run(commandLine) { console.error(message) }
            return true
        case .printDirectory:
            console.print("Remote working directory: \(remoteDirectory)")
            return true
        case .help:
            console.printRaw(SFTPShellHelp.text)
            return true
        case .version:
            console.print("SFTP protocol version \(client.serverVersion)")
            return true
        case .toggleProgress:
            settings.showProgress.toggle()
            console.print(settings.showProgress ? "Progress meter enabled" : "Progress meter disabled")
            return true
        case .quit:
            return true
        }
    }

    // MARK: Paths and errors

    /// `path` made absolute against the remote working directory (`make_absolute` in sftp.c).
    func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : Self.append(remoteDirectory, path)
    }

    /// A glob pattern made absolute: the working directory's own wildcards escaped, so that only the user's
    /// expand (`make_absolute_pwd_glob`).
    func absolutePattern(_ pattern: String) -> String {
        pattern.hasPrefix("/") ? pattern : Self.append(Self.escapeGlob(remoteDirectory), pattern)
    }

    /// `name` under `directory` with one `/` between (`path_append`).
    static func append(_ directory: String, _ name: String) -> String {
        if directory.isEmpty || directory.hasSuffix("/") { return directory + name }
        return directory + "/" + name
    }

    /// The last component of `path`, trailing slashes ignored (`basename(3)`).
    static func baseName(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed.isEmpty { return "." }
        if trimmed == "/" { return "/" }
        guard let slash = trimmed.lastIndex(of: "/") else { return String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// `text` with glob wildcards and backslashes escaped (`escape_glob`).
    static func escapeGlob(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "[]?*\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// Reports `error` as "`context`: text" and returns false; notes a lost session.
    @discardableResult
    func failure(_ context: String, _ error: any Error) -> Bool {
        if SFTPErrorText.isConnectionLost(error) {
            connectionLost = true
        } else {
            console.error("\(context): \(SFTPErrorText.text(for: error))")
        }
        return false
    }

    /// Reports `message` and returns false.
    @discardableResult
    func failure(_ message: String) -> Bool {
        console.error(message)
        return false
    }

    /// True when the remote `path` is a directory or a link to one (`remote_is_dir`).
    func remoteIsDirectory(_ path: String) async -> Bool {
        (try? await client.stat(path))?.isDirectory ?? false
    }
}
