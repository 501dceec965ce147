import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts peer processes the way a shell would: default signal dispositions, an empty signal
/// mask, a process group of their own and no descriptors but 0, 1 and 2. Threads of a test
/// runner block most signals and ignore SIGPIPE, and other threads' descriptors would keep
/// their pipes open; a peer that inherited either misbehaves.
public enum PeerSpawn {
    /// Where a child's standard input comes from or its output goes.
    public enum Stream {
        case devNull
        case file(String)
        case descriptor(Int32)
    }

    /// Spawns `arguments` (the first is a path); returns the pid, which is also the process
    /// group id. The child gets the test runner's environment with `environment` set over it.
    public static func spawn(
        _ arguments: [String], input: Stream = .devNull, output: Stream = .devNull, error: Stream? = nil,
        environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch input {
        case .devNull: posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        case .file(let path): posix_spawn_file_actions_addopen(&actions, 0, path, O_RDONLY, 0)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 0)
        }
        switch output {
        case .devNull: posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 1)
        }
        switch error {
        case nil: posix_spawn_file_actions_adddup2(&actions, 1, 2)
        case .devNull: posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        case .file(let path):
            posix_spawn_file_actions_addopen(&actions, 2, path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, 2)
        }
        _ = closeFrom?(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status: Int32
        if environment.isEmpty {
            status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        } else {
            var merged = ProcessInfo.processInfo.environment
            merged.merge(environment) { _, new in new }
            var envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in envp { free(pointer) } }
            status = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        }
        guard status == 0 else {
            throw PeerError("cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Runs `arguments` to completion and returns its exit status (-1 when it was killed after
    /// `timeout` seconds) and its standard output and error together; `environment` is set over the
    /// test runner's environment.
    public static func run(
        _ arguments: [String], input: [UInt8]? = nil, timeout: Double, environment: [String: String] = [:]
    ) throws -> (status: Int32, output: [UInt8]) {
        let outputPipe = try makePipe()
        var inputPipe: [Int32] = [-1, -1]
        if input != nil {
            do {
                inputPipe = try makePipe()
            } catch {
                close(outputPipe[0])
                close(outputPipe[1])
                throw error
            }
        }
        let pid: pid_t
        do {
            pid = try spawn(
                arguments, input: input == nil ? .devNull : .descriptor(inputPipe[0]),
                output: .descriptor(outputPipe[1]), environment: environment)
        } catch {
            for fd in outputPipe + inputPipe where fd >= 0 { close(fd) }
            throw error
        }
        close(outputPipe[1])
        if let input {
            close(inputPipe[0])
            let writer = inputPipe[1]
            DispatchQueue.global().async {
                signal(SIGPIPE, SIG_IGN)
                input.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let written = write(writer, bytes.baseAddress! + offset, bytes.count - offset)
                        if written <= 0 { break }
                        offset += written
                    }
                }
                close(writer)
            }
        }
        let killed = KilledFlag()
        let watchdog = DispatchWorkItem {
            killed.set()
            kill(-pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(outputPipe[0], $0.baseAddress, $0.count) }
            if count > 0 {
                output += chunk[0..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(outputPipe[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        watchdog.cancel()
        if killed.value { return (-1, output) }
        let exited = status & 0x7f == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    /// A child talking to us over its standard input and output, as `sftp-server` does.
    public struct PipedChild: Sendable {
        /// The child's pid (and process group).
        public let pid: pid_t
        /// Our end of the child's standard input: write here.
        public let input: Int32
        /// Our end of the child's standard output: read here.
        public let output: Int32
    }

    /// Spawns `arguments` with pipes on its standard input and output (enlarged to 1 MiB where Linux
    /// allows, for throughput); its standard error goes to `error`. The caller owns both descriptors and
    /// ends the child with ``stop(_:)``.
    public static func spawnPiped(_ arguments: [String], error: Stream = .devNull) throws -> PipedChild {
        let toChild = try makePipe()
        let fromChild: [Int32]
        do {
            fromChild = try makePipe()
        } catch {
            for fd in toChild { close(fd) }
            throw error
        }
        #if os(Linux)
        for fd in [toChild[1], fromChild[0]] { _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, 1 << 20) }
        #endif
        let pid: pid_t
        do {
            pid = try spawn(
                arguments, input: .descriptor(toChild[0]), output: .descriptor(fromChild[1]), error: error)
        } catch {
            for fd in toChild + fromChild { close(fd) }
            throw error
        }
        close(toChild[0])
        close(fromChild[1])
        return PipedChild(pid: pid, input: toChild[1], output: fromChild[0])
    }

    private static func makePipe() throws -> [Int32] {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw PeerError("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return fds
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), looked up at run
    /// time because the Glibc module does not declare it.
    private static let closeFrom:
        (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
            guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
            return unsafeBitCast(
                symbol,
                to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
        }()

    /// Waits up to ten seconds, while `pid` runs, for a complete line of the file at `log` that
    /// `port` reads a port number from; nil when none came. For daemons that listen on a port of
    /// the kernel's choosing and print it, which no other process can take from them meanwhile.
    public static func printedPort(log: String, pid: pid_t, _ port: (Substring) -> Int?) -> Int? {
        for _ in 0..<500 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n").dropLast(text.hasSuffix("\n") ? 0 : 1) {
                if let number = port(line) { return number }
            }
            guard isRunning(pid) else { return nil }
            usleep(20_000)
        }
        return nil
    }

    /// Starts `paramiko serve --listen 127.0.0.1:0` followed by `arguments`, its output appended to
    /// `log`, and returns its pid and the port the kernel gave it, read from its
    /// "listening on HOST:PORT" line. With `launcher` (such as ``NetworkNamespace/command(_:)``),
    /// the command runs through it.
    public static func startServe(
        _ arguments: [String], log: String, environment: [String: String] = [:],
        launcher: @Sendable ([String]) -> [String] = { $0 }
    ) throws -> (pid: pid_t, port: Int) {
        let pid = try spawn(
            launcher([try Peers.paramiko(), "serve", "--listen", "127.0.0.1:0"] + arguments), output: .file(log),
            environment: environment)
        let printed = printedPort(log: log, pid: pid) { line in
            guard line.hasPrefix("listening on "), let colon = line.lastIndex(of: ":") else { return nil }
            return Int(line[line.index(after: colon)...])
        }
        guard let port = printed else {
            stop(pid)
            throw PeerError("paramiko serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        return (pid, port)
    }

    /// True while `pid` has not exited.
    public static func isRunning(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// Kills the whole process group of `pid` and reaps `pid`.
    public static func stop(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}

/// Set once by a watchdog, read after the child is reaped.
private final class KilledFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    func set() { lock.withLock { flag = true } }
    var value: Bool { lock.withLock { flag } }
}
