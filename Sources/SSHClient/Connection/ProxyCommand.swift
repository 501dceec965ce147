import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ProxyCommand (ssh_config(5)): `sh -c command` with its standard input and output on one
/// end of a socket pair; the transport runs over the other end.
struct ProxyCommand: Sendable {
    /// Our end of the socket pair.
    let socket: Int32
    /// The command's process.
    let pid: pid_t

    static func start(_ command: String) throws -> ProxyCommand {
        var pair: [Int32] = [-1, -1]
        #if canImport(Glibc)
        let made = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair)
        #else
        let made = socketpair(AF_UNIX, SOCK_STREAM, 0, &pair)
        #endif
        guard made == 0 else {
            throw SSHClientError(.proxyFailed, "ProxyCommand: socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, environ)
        close(pair[1])
        guard spawned == 0 else {
            close(pair[0])
            throw SSHClientError(.proxyFailed, "ProxyCommand \(command): \(String(cString: strerror(spawned)))")
        }
        return ProxyCommand(socket: pair[0], pid: pid)
    }

    /// Ends the command (SIGHUP, as ssh does) and reaps it on a thread of its own.
    func terminate() {
        kill(pid, SIGHUP)
        let pid = self.pid
        Thread {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }.start()
    }
}
