#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts the process of an `exec` or `shell` request (RFC 4254 §6.5) with `posix_spawn` the way sshd
/// forks it: a new session (so its own process group, which `signal` requests reach, RFC 4254 §6.9),
/// default signal dispositions and an empty signal mask whatever the server's threads have, no
/// descriptors but 0, 1 and 2, and for a `pty-req` (RFC 4254 §6.2) the terminal as controlling terminal.
enum ProcessSpawner {
    /// Where the child's standard descriptors come from.
    enum Standard {
        /// Pipe ends for 0, 1 and 2 (the child's ends; all above 2).
        case pipes(input: Int32, output: Int32, error: Int32)
        /// A terminal the child opens by path on 0 (and duplicates on 1 and 2) after `setsid`: a
        /// session leader without a controlling terminal that opens a terminal without `O_NOCTTY`
        /// acquires it as its controlling terminal.
        case terminal(path: String)
    }

    /// Spawns `arguments` (`executable` is run; `arguments[0]` is its argv[0]) with exactly
    /// `environment` (`NAME=value` strings), in `workingDirectory` when given; returns the pid, which
    /// is also the process group and session id.
    static func spawn(
        executable: String, arguments: [String], environment: [String], workingDirectory: String?,
        standard: Standard
    ) throws(SSHServerError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        switch standard {
        case .pipes(let input, let output, let error):
            posix_spawn_file_actions_adddup2(&actions, input, 0)
            posix_spawn_file_actions_adddup2(&actions, output, 1)
            posix_spawn_file_actions_adddup2(&actions, error, 2)
        case .terminal(let path):
            posix_spawn_file_actions_addopen(&actions, 0, path, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        }
        // Without closefrom our descriptors are still all close-on-exec; other threads' might not be.
        _ = SystemFunctions.addCloseFrom?(&actions, 3)
        if let workingDirectory {
            guard let addChdir = SystemFunctions.addChdir else {
                throw SSHServerError(.workingDirectory, "the C library cannot change directory in posix_spawn")
            }
            _ = addChdir(&actions, workingDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | SystemFunctions.spawnSetSID)
        let flagStatus = posix_spawnattr_setflags(&attributes, flags)
        guard flagStatus == 0 else {
            throw SSHServerError(
                .spawnFailed, "posix_spawn cannot start a new session: \(SystemFunctions.errorString(flagStatus))")
        }

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, &argv, &envp)
        guard status == 0 else {
            let place = workingDirectory.map { " in \($0)" } ?? ""
            throw SSHServerError(
                .spawnFailed, "cannot start \(executable)\(place): \(SystemFunctions.errorString(status))")
        }
        return pid
    }
}
