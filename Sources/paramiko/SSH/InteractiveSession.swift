import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import SSHClient
import SSHConnection
import SSHWire

/// One remote command or shell wired to this terminal: stdin to the channel, the channel's
/// stdout and stderr to ours; with a pty, the local terminal in raw mode (restored at the end),
/// SIGWINCH passed on as window-change (RFC 4254 §6.2, §6.7), and the escape sequences that
/// start with the escape character at the start of a line (ssh(1) ESCAPE CHARACTERS).
struct InteractiveSession {
    /// What the session's channel runs.
    enum Request {
        /// The user's shell (RFC 4254 §6.5).
        case shell
        /// A command (RFC 4254 §6.5).
        case exec(String)
        /// A subsystem such as `sftp` (RFC 4254 §6.5; `ssh -s`).
        case subsystem(String)
        /// A `direct-tcpip` channel to a host and port (RFC 4254 §7.2; `ssh -W`): no exit status,
        /// and 0 when it ends.
        case stdioForward(host: String, port: Int)
    }

    let client: SSHClient
    let request: Request
    let wantsTerminal: Bool
    let environment: [String: String]
    /// Whether standard input is read and sent; without (`ssh -n`), the channel gets EOF at once.
    var readsInput = true
    /// EscapeChar; nil for none. Escapes are recognized only when a pty was requested, as ssh does.
    var escapeCharacter: UInt8? = nil
    /// EnableEscapeCommandline: whether `~C` opens a command line.
    var commandLineEnabled = false
    /// The forwardings `~C` adds to and cancels.
    var forwardings: Forwardings? = nil
    /// The level `~v` and `~V` change.
    var verbosity = LogVerbosity(logLevel: "INFO")
    /// Where the session's input comes from and its output goes.
    var descriptors = Descriptors.standard
    /// Set for a session a master runs for a client of its control socket (ControlMaster): the
    /// client keeps its terminal in raw mode itself, `~.` ends this session only, and the escapes
    /// that would act on the master's own process are refused, as ssh refuses them.
    var multiplexed: MultiplexedSession? = nil
    /// Called once the channel is open and its requests granted, before any data moves.
    var opened: (@Sendable () -> Void)? = nil

    /// The descriptors of a session.
    struct Descriptors: Sendable {
        /// Read and sent as the channel's data.
        var input: Int32
        /// The channel's data goes there.
        var output: Int32
        /// The channel's extended data and the escapes' answers go there.
        var error: Int32
        /// The terminal whose size and `TERM` a pty takes.
        var terminal: Int32

        /// Our own standard input, output and error.
        static let standard = Descriptors(input: 0, output: 1, error: 2, terminal: 1)
    }

    /// What a multiplexed session takes from its client's request.
    struct MultiplexedSession: Sendable {
        /// `$TERM` of the client.
        var terminalType: String
        /// The agent and X11 forwarding the client asked for, which the master gives when its
        /// own configuration has them too, as ssh's master does.
        var forwarding = SessionForwarding.asConfigured
    }

    /// Runs the session; returns its exit status, 255 when it ended without one (as after `~.`).
    func run() async throws -> Int32 {
        var terminal = wantsTerminal ? Self.currentTerminal(descriptors.terminal, term: multiplexed?.terminalType) : nil
        let forwarding = multiplexed?.forwarding ?? .asConfigured
        let channel: SSHChannel
        switch request {
        case .shell:
            channel = try await client.shell(terminal: terminal, environment: environment, forwarding: forwarding)
        case .exec(let command):
            channel = try await client.exec(command, environment: environment, terminal: terminal, forwarding: forwarding)
        case .subsystem(let name):
            channel = try await client.subsystem(
                name, environment: environment, terminal: terminal, forwarding: forwarding)
        case .stdioForward(let host, let port):
            terminal = nil
            channel = try await client.openDirectTCPIP(host: host, port: port)
        }
        opened?()
        let raw = terminal != nil && multiplexed == nil && isatty(0) != 0 ? RawMode() : nil
        defer { raw?.restore() }
        let descriptors = self.descriptors
        let resize = terminal == nil ? nil : WindowChanges.shared.register {
            let size = Self.currentTerminal(descriptors.terminal).size
            Task { _ = try? await channel.request(.windowChange(size), wantReply: false) }
        }
        defer { resize.map { WindowChanges.shared.unregister($0) } }
        let escapes = terminal == nil ? nil : escapeCharacter.map { character in
            EscapeActions(
                client: client, channel: channel, raw: raw, forwardings: forwardings ?? Forwardings(client: client),
                verbosity: verbosity, escapeCharacter: character, commandLineEnabled: commandLineEnabled,
                errorDescriptor: descriptors.error, multiplexed: self.multiplexed != nil)
        }
        let input = readsInput ? StandardInputReader(descriptor: descriptors.input, stoppable: multiplexed != nil) : nil
        defer { input?.stop() }
        let multiplexed = self.multiplexed != nil
        // Set once the user asks to disconnect (`~.`): the session's end is then no error.
        let disconnected = NIOLockedValueBox(false)
        // The writer runs on the connection's event loop too: a chunk goes from the reading
        // thread to the socket with one hop instead of three.
        let writer = Task(executorPreference: channel.connection.taskExecutor) { [client] in
            var scanner = escapes.map {
                EscapeSequenceScanner(escapeCharacter: $0.escapeCharacter, commandLine: $0.commandLineEnabled)
            }
            for await chunk in input?.chunks ?? AsyncStream(unfolding: { nil }) {
                guard let escapes, scanner != nil else {
                    try await channel.write(chunk)
                    input?.consumed()
                    continue
                }
                for piece in scanner!.scan(chunk) {
                    switch piece {
                    case .data(let data):
                        try await channel.write(data)
                    case .command(let command):
                        guard await escapes.perform(command) == .disconnect else { continue }
                        disconnected.withLockedValue { $0 = true }
                        // A multiplexed session's `~.` ends that session, not the shared connection.
                        if multiplexed { try? await channel.close() } else { await client.close() }
                        return
                    case .commandLine(let line):
                        await escapes.run(commandLine: line)
                    }
                }
                input?.consumed()
            }
            try await channel.sendEOF()
        }
        defer { writer.cancel() }
        // Output goes to our descriptors from the connection's own thread, as ssh does in its one
        // loop; a multiplexed session's descriptors are another process's, which may block while
        // the connection serves others, so its output is written from a queue of its own.
        do {
            let status =
                multiplexed
                ? try await relayOutputQueued(of: channel)
                : try await withTaskExecutorPreference(channel.connection.taskExecutor) {
                    try await relayOutput(of: channel, raw: raw, on: channel.connection)
                }
            if case .stdioForward = request { return 0 }
            return status
        } catch where disconnected.withLockedValue({ $0 }) {
            return 255
        }
    }

    /// Runs isolated to the channel's connection, whose executor is its event loop: output is
    /// written to our descriptors in the job that read it from the socket, as ssh does in its
    /// one loop. Once the session is complete the channel is closed, and what still comes before
    /// the peer's CLOSE is read as a sequence.
    private func relayOutput(of channel: SSHChannel, raw: RawMode?, on connection: isolated ConnectionRuntime) async throws -> Int32 {
        let relay = OutputRelay(raw: raw, descriptors: descriptors)
        try await connection.consumeOutput(of: channel) { batch in relay.take(batch) }
        if relay.complete {
            try? await channel.close()
            for try await output in channel.output { _ = relay.take([output]) }
        }
        return relay.exit ?? 255
    }

    /// Like ``relayOutput(of:raw:on:)``, with every write made on a dispatch queue of the session's
    /// own: the channel's window reopens as its output is written, and a descriptor that blocks
    /// holds back this session only.
    private func relayOutputQueued(of channel: SSHChannel) async throws -> Int32 {
        let relay = OutputRelay(raw: nil, descriptors: descriptors)
        let queue = DispatchQueue(label: "paramiko.session-output")
        var closing = false
        for try await output in channel.output {
            let goesOn = await withCheckedContinuation { continuation in
                queue.async { continuation.resume(returning: relay.take([output])) }
            }
            if !goesOn && !closing {
                closing = true
                try? await channel.close()
            }
        }
        return relay.exit ?? 255
    }

    /// Writes a channel's output to our standard output and error, and notes how it ended.
    private final class OutputRelay: @unchecked Sendable {
        let raw: RawMode?
        let descriptors: Descriptors
        var exit: Int32?
        var completion = SessionCompletion()
        /// EOF and the exit have both arrived (RFC 4254 §6.10).
        var complete = false
        /// Standard output could not be written (a pipe whose reader is gone): what comes later
        /// has nowhere to go, and the session ends, as ssh ends it.
        var outputFailed = false

        init(raw: RawMode?, descriptors: Descriptors) {
            self.raw = raw
            self.descriptors = descriptors
        }

        /// Takes a batch of output; false once the session is complete. Standard output received
        /// together goes out in one writev, as ssh writes its whole buffer.
        func take(_ batch: [ChannelOutput]) -> Bool {
            var stdout: [ByteBuffer] = []
            for output in batch {
                if case .stdout(let data) = output {
                    stdout.append(data)
                    continue
                }
                if !stdout.isEmpty {
                    if !InteractiveSession.write(stdout, to: descriptors.output) { outputFailed = true }
                    stdout = []
                }
                switch output {
                case .stdout, .eof: break
                case .stderr(let data): InteractiveSession.write(data, to: descriptors.error)
                case .exitStatus(let status): exit = Int32(truncatingIfNeeded: status)
                case .exitSignal:
                    // ssh says nothing of it, and exits with 255.
                    exit = 255
                }
                if completion.note(output) { complete = true }
            }
            if !stdout.isEmpty && !InteractiveSession.write(stdout, to: descriptors.output) { outputFailed = true }
            return !complete && !outputFailed
        }
    }

    /// Writes `chunks` in order with as few writev calls as the descriptor takes, waiting while a
    /// non-blocking one is full; stops at an error, and then returns false.
    @discardableResult
    static func write(_ chunks: [ByteBuffer], to descriptor: Int32) -> Bool {
        var remaining = chunks
        remaining.removeFirst(bytes: 0)  // Empty chunks at the front go.
        while !remaining.isEmpty {
            let written = remaining.prefix(1024).withIOVectors { vectors in
                while true {
                    let result = writev(descriptor, vectors, Int32(vectors.count))
                    if result >= 0 { return result }
                    if errno == EINTR { continue }
                    guard DescriptorReadiness.wouldBlock else { return result }
                    DescriptorReadiness.wait(descriptor, for: Int16(POLLOUT))
                }
            }
            guard written > 0 else { return false }
            remaining.removeFirst(bytes: written)
        }
        return true
    }

    @discardableResult
    static func write(_ data: ByteBuffer, to descriptor: Int32) -> Bool {
        write([data], to: descriptor)
    }

    /// The TERM and size of the terminal on `descriptor` (ours unless given) for pty-req;
    /// `term` instead of our `$TERM` when given.
    static func currentTerminal(_ descriptor: Int32 = 1, term given: String? = nil) -> ChannelRequestType.PseudoTerminal {
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) != 0 {
            size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        }
        let term = given ?? ProcessInfo.processInfo.environment["TERM"] ?? "vt100"
        return ChannelRequestType.PseudoTerminal(
            term: term,
            size: .init(
                columns: UInt32(size.ws_col), rows: UInt32(size.ws_row), widthPixels: UInt32(size.ws_xpixel),
                heightPixels: UInt32(size.ws_ypixel)))
    }
}

/// SIGWINCH for every session of the process (a master runs one per client with a terminal):
/// one signal source for the process's lifetime, which calls each registered session, since
/// a source once cancelled leaves later ones for the same signal deaf.
final class WindowChanges: @unchecked Sendable {
    static let shared = WindowChanges()
    private let handlers = NIOLockedValueBox<(next: Int, all: [Int: @Sendable () -> Void])>((0, [:]))
    private var watch: SignalWatch?

    private init() {
        let handlers = self.handlers
        watch = SignalWatch(signals: [SIGWINCH]) {
            for handler in handlers.withLockedValue({ Array($0.all.values) }) { handler() }
        }
    }

    /// Calls `handler` on each SIGWINCH until ``unregister(_:)``; returns its key.
    func register(_ handler: @escaping @Sendable () -> Void) -> Int {
        handlers.withLockedValue { state in
            state.next += 1
            state.all[state.next] = handler
            return state.next
        }
    }

    /// Stops calling the handler `key` names.
    func unregister(_ key: Int) {
        _ = handlers.withLockedValue { $0.all.removeValue(forKey: key) }
    }
}

/// The local terminal in raw mode until ``restore()``, as ssh puts it for a remote pty; an escape
/// sequence (`~^Z`, `~C`) restores it for a while and ``enter()``s it again. The session's task,
/// the escape it runs and the output relay it awaits restore it one after the other, never at once.
final class RawMode: @unchecked Sendable {
    private var saved = termios()
    private var raw = termios()
    private var saveable = false
    private var active = false

    init() {
        guard tcgetattr(0, &saved) == 0 else { return }
        saveable = true
        raw = saved
        cfmakeraw(&raw)
        enter()
    }

    /// Puts the terminal (back) in raw mode.
    func enter() {
        guard saveable, !active else { return }
        active = tcsetattr(0, TCSADRAIN, &raw) == 0
    }

    /// Gives the terminal its modes from before.
    func restore() {
        guard active else { return }
        active = false
        tcsetattr(0, TCSADRAIN, &saved)
    }
}

/// Standard input (or another descriptor) read on a thread of its own in large chunks, a few ahead
/// of the channel: the reader waits while ``chunksAhead`` chunks are not yet sent, so a slow
/// channel holds it back.
final class StandardInputReader: Sendable {
    /// Chunks read but not yet sent before the reader waits.
    static let chunksAhead = 4
    /// The most read at once.
    static let chunkSize = 1024 * 1024
    let chunks: AsyncStream<ByteBuffer>
    // Created at zero and raised, since libdispatch traps a semaphore freed below its initial value.
    private let gate = DispatchSemaphore(value: 0)
    /// The write end of the pipe that wakes a stoppable reader; -1 for one that reads until EOF.
    private let wake: Int32
    private let stopped = NIOLockedValueBox(false)

    /// Reads `descriptor`. A `stoppable` reader reads a duplicate of it, waits in poll(2) beside a
    /// pipe, and leaves at ``stop()``: the descriptor (another process's, passed to a master) can
    /// then be closed without a thread still reading it.
    init(descriptor: Int32 = 0, stoppable: Bool = false) {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        chunks = stream
        let gate = self.gate
        for _ in 0..<Self.chunksAhead { gate.signal() }
        var source = descriptor
        var pipeEnds: [Int32] = [-1, -1]
        if stoppable, pipe(&pipeEnds) == 0 {
            source = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
            for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        }
        wake = pipeEnds[1]
        let (input, alarm, stopped) = (source, pipeEnds[0], self.stopped)
        Thread {
            while true {
                gate.wait()
                if stopped.withLockedValue({ $0 }) || !Self.waitForInput(input, alarm: alarm) { break }
                var chunk = ByteBuffer()
                chunk.reserveCapacity(Self.chunkSize)
                var result = 0
                while true {
                    _ = chunk.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.chunkSize) { bytes in
                        result = read(input, bytes.baseAddress, Self.chunkSize)
                        return max(0, result)
                    }
                    guard result < 0 else { break }
                    if errno == EINTR { continue }
                    // A non-blocking descriptor with nothing yet: wait for input (or the alarm) and read again.
                    guard DescriptorReadiness.wouldBlock, Self.waitForInput(input, alarm: alarm, always: true) else { break }
                }
                guard result > 0 else { break }
                continuation.yield(chunk)
            }
            if alarm >= 0 {
                close(input)
                close(alarm)
            }
            continuation.finish()
        }.start()
    }

    /// Waits until `input` can be read; false once the alarm pipe (when there is one) says stop.
    /// Without an alarm a blocking read waits by itself, so this returns at once unless `always`.
    private static func waitForInput(_ input: Int32, alarm: Int32, always: Bool = false) -> Bool {
        guard alarm >= 0 else {
            if always { DescriptorReadiness.wait(input, for: Int16(POLLIN)) }
            return true
        }
        let events = DescriptorReadiness.wait([(input, Int16(POLLIN)), (alarm, Int16(POLLIN))])
        return events[1] == 0
    }

    /// The last chunk was sent; read the next.
    func consumed() { gate.signal() }

    /// Makes a stoppable reader leave (its stream then finishes); nothing for another.
    func stop() {
        let first = stopped.withLockedValue { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first, wake >= 0 else { return }
        var byte: UInt8 = 0
        _ = write(wake, &byte, 1)
        close(wake)
        gate.signal()
    }
}
