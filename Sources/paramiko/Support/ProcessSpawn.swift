import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Starts the programs the command line runs (`paramiko sftp`'s `-D` server, `!` commands and
/// `lls`; `paramiko ssh -f`'s background self) with `posix_spawnp(3)`: found on `PATH` like
/// `execvp(3)`, with default signal handling and an empty signal mask, and standard input and
/// output on given descriptors.
enum ProcessSpawn {
    /// Starts `arguments` (the first is the program) with its standard input and output on `input` and
    /// `output` (nil keeps ours); its standard error is ours. `passing` gives the program one more
    /// descriptor, at the number it names; `environment` is added to ours; with `newSession` the
    /// program leads a session of its own, away from our terminal. Throws the errno when it cannot start.
    static func start(
        _ arguments: [String], input: Int32? = nil, output: Int32? = nil, passing: (descriptor: Int32, as: Int32)? = nil,
        environment: [String: String] = [:], newSession: Bool = false
    ) throws(SFTPLocalError) -> pid_t {
        guard let program = arguments.first else { throw SFTPLocalError(code: ENOENT) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input { posix_spawn_file_actions_adddup2(&actions, input, 0) }
        if let output { posix_spawn_file_actions_adddup2(&actions, output, 1) }
        if let passing { posix_spawn_file_actions_adddup2(&actions, passing.descriptor, passing.as) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #if canImport(Glibc)
            // POSIX_SPAWN_SETSID, which Glibc's module leaves out (it sits behind _GNU_SOURCE).
            if newSession { flags |= 0x80 }
        #elseif canImport(Darwin)
            if newSession { flags |= POSIX_SPAWN_SETSID }
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var variables = ProcessInfo.processInfo.environment
        variables.merge(environment) { _, added in added }
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, &actions, &attributes, &argv, &envp)
        guard status == 0 else { throw SFTPLocalError(code: status) }
        return pid
    }

    /// Runs `arguments` to its end, its standard error ours, and returns its `waitpid(2)` status and
    /// everything it printed; nil when it cannot start. Blocks the calling thread.
    static func output(_ arguments: [String]) -> (status: Int32, output: [UInt8])? {
        guard let pipe = try? pipe() else { return nil }
        let pid: pid_t
        do {
            pid = try start(arguments, output: pipe.write)
        } catch {
            close(pipe.read)
            close(pipe.write)
            return nil
        }
        close(pipe.write)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipe.read, $0.baseAddress, $0.count) }
            if count > 0 { output += chunk[0..<count] } else if count == 0 || errno != EINTR { break }
        }
        close(pipe.read)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status, output)
    }

    /// Waits for `pid` on a thread of its own and returns its `waitpid(2)` status.
    static func wait(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: status)
            }.start()
        }
    }

    /// A pipe whose two ends close on exec.
    static func pipe() throws(SFTPLocalError) -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [-1, -1]
        guard systemPipe(&descriptors) == 0 else { throw SFTPLocalError(code: errno) }
        for descriptor in descriptors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        return (descriptors[0], descriptors[1])
    }
}

/// `pipe(2)`, named apart from ``ProcessSpawn/pipe()``.
private func systemPipe(_ descriptors: UnsafeMutablePointer<Int32>) -> Int32 {
    pipe(descriptors)
}
