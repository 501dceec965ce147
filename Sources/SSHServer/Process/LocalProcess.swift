import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A local process started for a session's `exec` or `shell` request (RFC 4254 §6.5), with the
/// channel's data wired to its standard input, output and error through pipes, or to a
/// pseudo-terminal when the client sent a `pty-req` first (RFC 4254 §6.2).
///
/// The pipes and the terminal master are SwiftNIO pipe channels, read in chunks of up to 1 MiB with
/// back-pressure both ways; a small thread per process waits for its exit. Nothing here blocks an
/// event loop or the cooperative pool.
public final class LocalProcess: Sendable {
    /// The process id, which is also its process group and session id (the child runs `setsid`).
    public let pid: pid_t

    /// Standard output; with a terminal everything the terminal prints, standard output and error
    /// merged (RFC 4254 §6.5). It ends at EOF: when the process and everything it started have closed
    /// it (or the terminal).
    public let standardOutput: ProcessOutput

    /// Standard error, sent as extended data of type 1 (RFC 4254 §5.2); empty (it finishes at once)
    /// with a terminal, whose output carries it.
    public let standardError: ProcessOutput

    /// Whether the process runs on a pseudo-terminal (RFC 4254 §6.2).
    public let hasTerminal: Bool

    /// How long ``terminate()`` waits after `SIGHUP` before sending `SIGKILL`.
    public static let terminationGracePeriod = TimeAmount.seconds(2)

    private let monitor: ProcessMonitor
    private let input: InputWriter
    private let channels: [EventLoopFuture<any Channel>]
    private let eventLoop: any EventLoop
    private let terminating = NIOLockedValueBox(false)

    private init(
        monitor: ProcessMonitor, standardOutput: ProcessOutput, standardError: ProcessOutput, input: InputWriter,
        channels: [EventLoopFuture<any Channel>], eventLoop: any EventLoop, hasTerminal: Bool
    ) {
        self.pid = monitor.pid
        self.monitor = monitor
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.input = input
        self.channels = channels
        self.eventLoop = eventLoop
        self.hasTerminal = hasTerminal
    }

    /// Starts `command` for an `exec` request as `shell -c command`, or for a `shell` request (`command`
    /// nil) the shell as a login shell (argv[0] `-sh` for `/bin/sh`), RFC 4254 §6.5.
    ///
    /// - Parameters:
    ///   - command: The command line of an `exec` request; nil for a `shell` request.
    ///   - shell: The user's shell, an absolute path.
    ///   - environment: The whole environment of the process (nothing is inherited from the server);
    ///     with a terminal, `TERM` is set from the request.
    ///   - workingDirectory: The directory to start in (usually the user's home); nil keeps the server's.
    ///   - terminal: The `pty-req` (RFC 4254 §6.2) that preceded the request, if any: the process then
    ///     runs in a new session with a new pseudo-terminal as controlling terminal and as its standard
    ///     input, output and error.
    ///   - eventLoop: Where the process's pipes or terminal are read and written: best the loop of the
    ///     connection whose channel carries them, so its data does not change threads; any loop of the
    ///     shared group when nil.
    /// - Throws: ``SSHServerError`` with ``SSHServerError/Code/shellNotFound``,
    ///   ``SSHServerError/Code/workingDirectory``, ``SSHServerError/Code/pseudoTerminal``,
    ///   ``SSHServerError/Code/descriptors`` or ``SSHServerError/Code/spawnFailed``.
    public static func start(
        command: String?, shell: String = "/bin/sh", environment: [String: String], workingDirectory: String?,
        terminal: TerminalRequest?, eventLoop: (any EventLoop)? = nil
    ) throws(SSHServerError) -> LocalProcess {
        let eventLoop = eventLoop ?? MultiThreadedEventLoopGroup.singleton.next()
        try checkExecutable(shell)
        if let workingDirectory { try checkDirectory(workingDirectory) }

        var variables = environment
        if let terminal { variables["TERM"] = terminal.term }
        let environmentStrings = variables.filter { !$0.key.isEmpty && !$0.key.contains("=") }
            .sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let shellName = shell.split(separator: "/").last.map(String.init) ?? shell
        let arguments = command.map { [shellName, "-c", $0] } ?? ["-" + shellName]

        if let terminal {
            return try startOnTerminal(
                terminal, shell: shell, arguments: arguments, environment: environmentStrings,
                workingDirectory: workingDirectory, eventLoop: eventLoop)
        }
        return try startWithPipes(
            shell: shell, arguments: arguments, environment: environmentStrings, workingDirectory: workingDirectory,
            eventLoop: eventLoop)
    }

    /// Writes channel data (RFC 4254 §5.2) to standard input, or to the terminal as if typed. It
    /// suspends while the process is not reading (the pipe or terminal is full).
    /// - Throws: ``SSHServerError/Code/inputClosed`` after ``closeInput()`` or once the process no
    ///   longer reads its input.
    public func write(_ data: ByteBuffer) async throws(SSHServerError) {
        try await input.write(data)
    }

    /// Ends standard input on the client's EOF (RFC 4254 §5.3) once everything written before has
    /// been delivered: closes the pipe or, with a terminal, types the terminal's end-of-file
    /// character (`VEOF`, normally ^D) as sshd does, leaving the terminal open. Calling it again does
    /// nothing.
    /// - Throws: ``SSHServerError/Code/inputClosed`` when data written before could not be delivered.
    public func closeInput() async throws(SSHServerError) {
        guard hasTerminal else {
            try await input.close(writingInstead: nil)
            return
        }
        let character = monitor.withTerminal { master -> UInt8 in
            var attributes = termios()
            guard tcgetattr(master, &attributes) == 0 else { return 4 }
            return TerminalAttributes.endOfFileCharacter(of: attributes)
        }
        try await input.close(writingInstead: ByteBuffer(bytes: [character ?? 4]))
    }

    /// Applies a `window-change` request (RFC 4254 §6.7): sets the terminal's size, which sends
    /// `SIGWINCH` to its foreground process group. Does nothing without a terminal or once the process
    /// has ended.
    public func resize(columns: Int, rows: Int, pixelWidth: Int, pixelHeight: Int) {
        _ = monitor.withTerminal { master in
            PseudoTerminal.setWindowSize(
                of: master, columns: columns, rows: rows, pixelWidth: pixelWidth, pixelHeight: pixelHeight)
        }
    }

    /// Applies a `signal` request (RFC 4254 §6.9): delivers the signal named without `SIG` (`INT`,
    /// `TERM`, `HUP`, `KILL`, `QUIT`, `USR1`, `USR2`, `ABRT`, `ALRM`, `PIPE`, `ILL`, `FPE`, `SEGV`, the
    /// names of RFC 4254 §6.10) to the process group, as sshd does.
    /// - Returns: false, doing nothing, for another name or once the process has ended.
    @discardableResult
    public func signal(_ name: String) -> Bool {
        guard let number = SignalName.number(of: name) else { return false }
        return monitor.signal(number)
    }

    /// Waits for the process to end, for the `exit-status` or `exit-signal` request (RFC 4254 §6.10).
    /// Its output may still be arriving: the server sends that first. Cancelling the calling task does
    /// not end the wait; ``terminate()`` ends the process.
    public func wait() async -> ProcessTermination {
        await monitor.wait()
    }

    /// Ends the process when its channel closes early or the server shuts down (RFC 4254 §5.3): sends
    /// `SIGHUP` (and `SIGCONT`, for a stopped process) to its process group, then `SIGKILL` after
    /// ``terminationGracePeriod`` if the process is still there, and closes the pipes or terminal so
    /// that nothing it started keeps them open. Once the process has ended it only closes them.
    public func terminate() {
        let first = terminating.withLockedValue { terminating in
            defer { terminating = true }
            return !terminating
        }
        guard first else { return }
        let channels = self.channels
        guard monitor.signal(SIGHUP) else {
            Self.closeChannels(channels)
            return
        }
        _ = monitor.signal(SIGCONT)
        let monitor = self.monitor
        eventLoop.scheduleTask(in: Self.terminationGracePeriod) {
            _ = monitor.signal(SIGKILL)
            Self.closeChannels(channels)
        }
    }

    private static func closeChannels(_ channels: [EventLoopFuture<any Channel>]) {
        for channel in channels {
            channel.whenSuccess { $0.close(promise: nil) }
        }
    }

    // MARK: - Starting

    private static func startWithPipes(
        shell: String, arguments: [String], environment: [String], workingDirectory: String?, eventLoop: any EventLoop
    ) throws(SSHServerError) -> LocalProcess {
        var descriptors: [Int32] = []
        func closeAll() { for fd in descriptors { close(fd) } }
        let pid: pid_t
        let input: (read: Int32, write: Int32)
        let output: (read: Int32, write: Int32)
        let error: (read: Int32, write: Int32)
        do throws(SSHServerError) {
            input = try SystemFunctions.makePipe()
            descriptors += [input.read, input.write]
            output = try SystemFunctions.makePipe()
            descriptors += [output.read, output.write]
            error = try SystemFunctions.makePipe()
            descriptors += [error.read, error.write]
            #if os(Linux)
            // Larger pipes mean fewer, larger reads and writes. Failing (over the user's pipe quota) is fine.
            _ = fcntl(output.read, SystemFunctions.setPipeSize, outputPipeSize)
            _ = fcntl(input.write, SystemFunctions.setPipeSize, inputPipeSize)
            #endif
            pid = try ProcessSpawner.spawn(
                executable: shell, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory,
                standard: .pipes(input: input.read, output: output.write, error: error.write))
        } catch let failure {
            closeAll()
            throw failure
        }
        for fd in [input.read, output.write, error.write] { close(fd) }

        let monitor = ProcessMonitor(pid: pid, terminal: nil)
        do throws(SSHServerError) {
            try monitor.start()
        } catch let failure {
            for fd in [input.write, output.read, error.read] { close(fd) }
            throw failure
        }
        let (stdout, stdio) = attach(
            eventLoop: eventLoop, input: output.read, output: input.write, readsTerminal: false, monitor: monitor)
        let (stderr, errorChannel) = attach(
            eventLoop: eventLoop, input: error.read, output: nil, readsTerminal: false, monitor: monitor)
        return LocalProcess(
            monitor: monitor, standardOutput: stdout, standardError: stderr, input: InputWriter(channel: stdio),
            channels: [stdio, errorChannel], eventLoop: eventLoop, hasTerminal: false)
    }

    private static func startOnTerminal(
        _ request: TerminalRequest, shell: String, arguments: [String], environment: [String],
        workingDirectory: String?, eventLoop: any EventLoop
    ) throws(SSHServerError) -> LocalProcess {
        let terminal = try PseudoTerminal.open(for: request)
        let writeSide = fcntl(terminal.master, F_DUPFD_CLOEXEC, 3)
        let control = fcntl(terminal.master, F_DUPFD_CLOEXEC, 3)
        guard writeSide >= 0, control >= 0 else {
            let detail = SystemFunctions.errorString(errno)
            for fd in [terminal.master, terminal.slave, writeSide, control] where fd >= 0 { close(fd) }
            throw SSHServerError(.descriptors, "cannot duplicate the terminal master: \(detail)")
        }
        let pid: pid_t
        do throws(SSHServerError) {
            pid = try ProcessSpawner.spawn(
                executable: shell, arguments: arguments, environment: environment,
                workingDirectory: workingDirectory, standard: .terminal(path: terminal.slavePath))
        } catch {
            for fd in [terminal.master, terminal.slave, writeSide, control] { close(fd) }
            throw error
        }
        // The child has the slave open now (posix_spawn returns after its file actions ran); ours
        // would keep the terminal from hanging up when the child's session ends.
        close(terminal.slave)

        let monitor = ProcessMonitor(pid: pid, terminal: control)
        do throws(SSHServerError) {
            try monitor.start()
        } catch {
            for fd in [terminal.master, writeSide] { close(fd) }
            throw error
        }
        let (stdout, stdio) = attach(
            eventLoop: eventLoop, input: terminal.master, output: writeSide, readsTerminal: true, monitor: monitor)
        return LocalProcess(
            monitor: monitor, standardOutput: stdout, standardError: ProcessOutput(nil),
            input: InputWriter(channel: stdio), channels: [stdio], eventLoop: eventLoop, hasTerminal: true)
    }

    /// Hands `input` (read) and `output` (written) to a NIO pipe channel on `eventLoop` whose reads
    /// feed the returned output sequence.
    private static func attach(
        eventLoop: any EventLoop, input: Int32, output: Int32?, readsTerminal: Bool, monitor: ProcessMonitor
    ) -> (ProcessOutput, EventLoopFuture<any Channel>) {
        let delegate = OutputDelegate(eventLoop: eventLoop)
        let produced = OutputProducer.makeSequence(
            elementType: ByteBuffer.self, failureType: (any Error).self,
            backPressureStrategy: .init(lowWatermark: 2, highWatermark: 8), finishOnDeinit: true,
            delegate: delegate)
        let source = produced.source
        let bootstrap = NIOPipeBootstrap(group: eventLoop)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(
                .recvAllocator,
                value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: maximumChunk)
            )
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = OutputHandler(source: source, readsTerminal: readsTerminal)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    delegate.attach(handler)
                }
            }
        let channel: EventLoopFuture<any Channel>
        if let output {
            channel = bootstrap.takingOwnershipOfDescriptors(input: input, output: output)
        } else {
            channel = bootstrap.takingOwnershipOfDescriptor(input: input)
        }
        channel.whenFailure { error in
            source.finish(error)
            _ = monitor.signal(SIGKILL)
        }
        return (ProcessOutput(produced.sequence), channel)
    }

    // MARK: - Checks

    private static func checkExecutable(_ path: String) throws(SSHServerError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SSHServerError(.shellNotFound, "\(path): \(SystemFunctions.errorString(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 else {
            throw SSHServerError(.shellNotFound, "\(path): not an executable file")
        }
    }

    private static func checkDirectory(_ path: String) throws(SSHServerError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SSHServerError(.workingDirectory, "\(path): \(SystemFunctions.errorString(errno))")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw SSHServerError(.workingDirectory, "\(path): not a directory")
        }
        guard access(path, X_OK) == 0 else {
            throw SSHServerError(.workingDirectory, "\(path): \(SystemFunctions.errorString(errno))")
        }
    }

    /// The largest chunk read at once.
    private static let maximumChunk = 1 << 20
    /// The size asked for the standard output pipe (Linux's default limit for unprivileged processes);
    /// standard error keeps the default 64 KiB.
    private static let outputPipeSize: Int32 = 1 << 20
    /// The size asked for the standard input pipe.
    private static let inputPipeSize: Int32 = 256 << 10
}
