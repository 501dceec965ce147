import Foundation
import Logging
import NIOCore
import SSHClient
import SSHConfig

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ssh -O`'s control commands.
enum MuxOperation: String, CaseIterable {
    /// Whether a master answers, and its pid.
    case check
    /// Adds the forwardings of the command line and ssh_config to the master.
    case forward
    /// Cancels them.
    case cancel
    /// Asks the master to exit.
    case exit
    /// Asks the master to stop listening for more clients.
    case stop
}

/// The client side of connection sharing (ssh_config ControlPath, OpenSSH's PROTOCOL.mux): a
/// session, stdio forwarding or control command carried out by the master that listens on the
/// control socket, with this process's standard descriptors passed to it, as a `ssh` whose
/// ControlMaster is `no` or `auto` does when it finds a master.
struct MuxClient {
    let path: String
    let settings: SSHClientSettings
    let verbosity: LogVerbosity
    let logger: Logger

    /// How the control socket answered.
    enum Connection {
        case connected(MuxSocket)
        /// Nobody listens: the caller goes on without a master.
        case none
    }

    /// Connects and says hello. Without a master, a session goes on unshared (a stale socket is
    /// removed first when this process may become the master), while a control command fails.
    func connect(forOperation: Bool) throws(MuxError) -> Connection {
        let socket: MuxSocket
        do {
            socket = try MuxSocket.open(path)
        } catch {
            if forOperation { throw MuxError("Control socket connect(\(path)): \(error.text)") }
            if error.code == ECONNREFUSED && settings.controlMaster != .no {
                logger.debug("Stale control socket \(path), unlinking")
                unlink(path)
            } else if error.code == ENOENT {
                logger.debug("Control socket \"\(path)\" does not exist")
            } else {
                logger.error("Control socket connect(\(path)): \(error.text)")
            }
            return .none
        }
        try socket.post(.hello(version: MuxMessage.version, extensions: []))
        guard case .hello(let version, _)? = try socket.next() else {
            throw MuxError("mux_client_hello_exchange: read packet failed")
        }
        guard version == MuxMessage.version else {
            throw MuxError("Unsupported multiplexing protocol version \(version) (expected \(MuxMessage.version))")
        }
        logger.debug("master version \(version)")
        return .connected(socket)
    }

    // MARK: Control commands

    /// `ssh -O operation`: returns the exit status and prints what ssh prints.
    func control(_ operation: MuxOperation) -> Int32 {
        do {
            guard case .connected(let socket) = try connect(forOperation: true) else { return 255 }
            switch operation {
            case .check:
                let pid = try aliveCheck(socket)
                Self.tell("Master running (pid=\(pid))\r\n")
            case .exit:
                try expectOK(socket, .terminate(request: 1), refused: "Master refused termination request")
                Self.tell("Exit request sent.\r\n")
            case .stop:
                try expectOK(socket, .stopListening(request: 1), refused: "Master refused stop listening request")
                Self.tell("Stop listening request sent.\r\n")
            case .forward:
                try requestForwards(on: socket, printingAllocated: true)
            case .cancel:
                var request: UInt32 = 1
                for forward in Self.forwards(settings) {
                    try expectOK(socket, .closeForward(request: request, forward), refused: "Master refused forwarding request")
                    request += 1
                }
            }
            return 0
        } catch {
            Self.tell("\(error)\r\n")
            return 255
        }
    }

    private func aliveCheck(_ socket: MuxSocket) throws(MuxError) -> UInt32 {
        try socket.post(.aliveCheck(request: 0))
        guard case .alive(0, let pid)? = try socket.next() else {
            throw MuxError("mux_client_request_alive: master returned an unexpected reply")
        }
        return pid
    }

    private func expectOK(_ socket: MuxSocket, _ message: MuxMessage, refused: String) throws(MuxError) {
        try socket.post(message)
        switch try socket.next() {
        case .ok?: return
        case .permissionDenied(_, let reason)?: throw MuxError("\(refused): \(reason)")
        case .failure(_, let reason)?: throw MuxError("\(refused.replacingOccurrences(of: "Master refused ", with: "")) failed: \(reason)")
        default: throw MuxError("master returned an unexpected reply")
        }
    }

    /// Asks the master for each forwarding of the command line and ssh_config; with
    /// `printingAllocated` (`-O forward`), prints the port a remote forwarding of port 0 got.
    private func requestForwards(on socket: MuxSocket, printingAllocated: Bool) throws(MuxError) {
        var request: UInt32 = 100
        for forward in Self.forwards(settings) {
            request += 1
            try socket.post(.openForward(request: request, forward))
            switch try socket.next() {
            case .ok?: continue
            case .remotePort(_, let port)?:
                logger.info("Allocated port \(port) for remote forward to \(forward.connectHost):\(forward.connectPort)")
                if printingAllocated { print(port) }
            case .permissionDenied(_, let reason)?: throw MuxError("Master refused forwarding request: \(reason)")
            case .failure(_, let reason)?: throw MuxError("forwarding request failed: \(reason)")
            default: throw MuxError("master returned an unexpected reply")
            }
        }
    }

    /// The forwardings of `settings` as the mux protocol carries them, as ssh sends them.
    static func forwards(_ settings: SSHClientSettings) -> [MuxForward] {
        settings.localForwards.map { mux($0, .local) } + settings.remoteForwards.map { mux($0, $0.isDynamic ? .dynamic : .remote) }
            + settings.dynamicForwards.map { mux($0, .dynamic) }
    }

    private static func mux(_ forward: SSHForwarding, _ kind: MuxForward.Kind) -> MuxForward {
        let listenHost = forward.listenPath ?? forward.listenHost.map { $0.isEmpty ? "*" : $0 } ?? ""
        let listenPort = forward.listenPath == nil ? UInt32(max(0, forward.listenPort)) : MuxForward.streamLocal
        let kind: MuxForward.Kind = kind == .remote && forward.isDynamic ? .dynamic : kind
        var connectHost = forward.connectPath ?? forward.connectHost ?? ""
        var connectPort = forward.connectPath == nil ? UInt32(max(0, forward.connectPort)) : MuxForward.streamLocal
        if forward.isDynamic {
            connectHost = ""
            connectPort = 0
        }
        return MuxForward(
            kind: kind, listenHost: listenHost, listenPort: listenPort, connectHost: connectHost, connectPort: connectPort)
    }

    // MARK: Sessions

    /// Runs the session on the master at the control socket, as ssh's `mux_client_request_session`:
    /// the exit status, or nil when there is no master or it does not take the session (the caller
    /// then connects itself, as ssh does, after saying why). A refused `-W` ends with 255.
    func runSession(_ request: InteractiveSession.Request?, wantsTerminal: Bool) -> Int32? {
        guard let (socket, masterPID) = attach(requestingForwards: true) else { return nil }
        guard let request else { return 0 }
        if settings.stdinNull {
            // As ssh -n: the master reads /dev/null for this session.
            let null = open("/dev/null", O_RDONLY)
            if null >= 0 {
                dup2(null, 0)
                close(null)
            }
        }
        let outcome: Opening
        if case .stdioForward(let host, let port) = request {
            outcome = startSession(.newStdioForward(request: 1, host: host, port: UInt32(port)), passing: [0, 1], on: socket)
        } else {
            outcome = startSession(
                .newSession(request: 1, sessionRequest(request, wantsTerminal: wantsTerminal)), passing: [0, 1, 2],
                on: socket)
        }
        switch outcome {
        case .opened(let session):
            return wait(on: socket, session: session, masterPID: masterPID, terminal: wantsTerminal, request: request)
        case .refused:
            if case .stdioForward = request { return 255 }
            return nil
        case .failed:
            return 255
        }
    }

    /// Connects and checks that the master is alive (and, for a session of ours, asks it for the
    /// forwardings of the command line and ssh_config): the socket and the master's pid; nil,
    /// after saying why, when there is no master to use.
    private func attach(requestingForwards: Bool) -> (MuxSocket, UInt32)? {
        do {
            guard case .connected(let socket) = try connect(forOperation: false) else { return nil }
            let pid = try aliveCheck(socket)
            if requestingForwards { try requestForwards(on: socket, printingAllocated: false) }
            return (socket, pid)
        } catch {
            Self.tell("\(error)\r\n")
            return nil
        }
    }

    /// How a session request ended.
    private enum Opening {
        /// The master runs it, with this id.
        case opened(UInt32)
        /// The master refused it or could not start it; ssh's words were said.
        case refused
        /// The request could not be sent.
        case failed
    }

    /// Sends a `MUX_C_NEW_SESSION` or `MUX_C_NEW_STDIO_FWD`, passes `descriptors` after it, and
    /// reads the master's answer, saying what ssh says when it does not open the session.
    private func startSession(_ message: MuxMessage, passing descriptors: [Int32], on socket: MuxSocket) -> Opening {
        var stdio = false
        if case .newStdioForward = message { stdio = true }
        do {
            try socket.post(message)
            for descriptor in descriptors { try socket.pass(descriptor: descriptor) }
        } catch {
            Self.tell("\(error)\r\n")
            return .failed
        }
        switch try? socket.next() {
        case .sessionOpened(_, let opened)?:
            logger.debug("master session id: \(opened)")
            return .opened(opened)
        case .permissionDenied(_, let reason)?:
            Self.tell(stdio ? "Master refused stdio forwarding request: \(reason)\r\n" : "Master refused session request: \(reason)\r\n")
        case .failure(_, let reason)?:
            Self.tell(
                stdio
                    ? "Stdio forwarding request failed: \(reason)\r\n"
                    : "mux_client_request_session: session request failed: \(reason)\r\n")
        default:
            Self.tell("mux_client_request_session: read from master failed\r\n")
        }
        return .refused
    }

    private func sessionRequest(_ request: InteractiveSession.Request, wantsTerminal: Bool) -> MuxSessionRequest {
        var session = MuxSessionRequest()
        session.wantsTerminal = wantsTerminal
        session.wantsX11 = settings.x11Display != nil
        session.wantsAgent = settings.configuration.forwardAgent != nil
        session.escapeCharacter = settings.escapeCharacter
        session.terminalType = ProcessInfo.processInfo.environment["TERM"] ?? ""
        switch request {
        case .shell: break
        case .exec(let command): session.command = command
        case .subsystem(let name):
            session.isSubsystem = true
            session.command = name
        case .stdioForward: break
        }
        session.environment = settings.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return session
    }

    /// Waits for the session's exit status; signals end the wait, window changes go to the master.
    private func wait(
        on socket: MuxSocket, session: UInt32, masterPID: UInt32, terminal: Bool, request: InteractiveSession.Request
    ) -> Int32 {
        let raw = terminal && isatty(0) != 0 ? RawMode() : nil
        defer { raw?.restore() }
        let resize = SignalWatch(signals: [SIGWINCH]) { kill(pid_t(masterPID), SIGWINCH) }
        defer { resize.cancel() }
        let signalled = SignalFlag()
        let ending = SignalWatch(signals: [SIGHUP, SIGINT, SIGTERM]) {
            signalled.set()
            socket.shutdown()
        }
        defer { ending.cancel() }
        var status: Int32?
        while let message = try? socket.next() {
            switch message {
            case .ttyAllocationFailed: raw?.restore()
            case .exitMessage(let id, let value) where id == session: status = Int32(bitPattern: value)
            default: continue
            }
        }
        raw?.restore()
        if case .stdioForward = request { return signalled.isSet ? 255 : 0 }
        if signalled.isSet {
            logger.debug("Exiting on signal")
            status = 255
        } else if status == nil {
            logger.debug("Control master terminated unexpectedly")
        }
        if terminal && verbosity.shows("INFO") { Self.tell("Shared connection to \(settings.host) closed.\r\n") }
        return status ?? 255
    }

    /// Writes `text` on standard error as it is.
    static func tell(_ text: String) {
        InteractiveSession.write(ByteBuffer(string: text), to: 2)
    }
}

/// Set from a signal handler's queue, read once the wait is over.
private final class SignalFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

extension MuxClient {
    /// A shared session for a program of ours that speaks to the subsystem itself (`paramiko sftp`):
    /// our ends of the two pipes the master's session reads and writes, and the control socket it
    /// reports the end on.
    struct SharedSubsystem {
        /// Where the subsystem's output is read.
        let input: Int32
        /// Where its input is written.
        let output: Int32
        /// Kept open while the session lasts.
        let socket: MuxSocket
    }

    /// Starts `subsystem` (a path runs as a command, as ssh runs sftp's `-s /path`) on the master at
    /// the control socket, on pipes; nil when there is none or it does not take the session (the
    /// caller then connects itself, as OpenSSH's sftp through ssh does).
    func openSubsystem(_ subsystem: String) -> SharedSubsystem? {
        guard let (socket, _) = attach(requestingForwards: false) else { return nil }
        var toMaster: [Int32] = [-1, -1]
        var fromMaster: [Int32] = [-1, -1]
        guard pipe(&toMaster) == 0 else { return nil }
        guard pipe(&fromMaster) == 0 else {
            toMaster.forEach { close($0) }
            return nil
        }
        for descriptor in toMaster + fromMaster { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var request = MuxSessionRequest()
        request.isSubsystem = !subsystem.contains("/")
        request.command = subsystem
        let outcome = startSession(.newSession(request: 1, request), passing: [toMaster[0], fromMaster[1], 2], on: socket)
        close(toMaster[0])
        close(fromMaster[1])
        guard case .opened = outcome else {
            close(toMaster[1])
            close(fromMaster[0])
            return nil
        }
        return SharedSubsystem(input: fromMaster[0], output: toMaster[1], socket: socket)
    }
}
