import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The control socket a master listens on (ssh_config ControlPath), made as OpenSSH's
/// `muxserver_listen` makes it: bound at a temporary name beside the path with only the owner
/// allowed in, then linked to the path, so an existing socket is never replaced.
final class MuxListener: @unchecked Sendable {
    let path: String
    private let descriptor: Int32
    private let closed = NSLock()
    private var isClosed = false

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Why a listener could not be made.
    enum Failure: Error {
        /// Something already exists at the path (EEXIST from link).
        case exists
        /// Another errno, with the call that failed.
        case system(call: String, code: Int32)
    }

    /// Listens at `path`.
    static func listen(at path: String) throws(Failure) -> MuxListener {
        var suffix = ""
        for _ in 0..<16 { suffix.append("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".randomElement()!) }
        let temporary = path + "." + suffix
        var address: sockaddr_un
        do {
            address = try MuxSocket.address(temporary)
        } catch {
            throw .system(call: "bind", code: error.code)
        }
        let socket = makeSocket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { throw .system(call: "socket", code: errno) }
        let previous = umask(0o177)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        let bindError = errno
        umask(previous)
        guard bound == 0 else {
            close(socket)
            throw .system(call: "bind", code: bindError)
        }
        guard startListening(socket, 64) == 0 else {
            let code = errno
            close(socket)
            unlink(temporary)
            throw .system(call: "listen", code: code)
        }
        guard link(temporary, path) == 0 else {
            let code = errno
            close(socket)
            unlink(temporary)
            throw code == EEXIST ? .exists : .system(call: "link", code: code)
        }
        unlink(temporary)
        return MuxListener(path: path, descriptor: socket)
    }

    /// Waits for the next client; nil once the listener is stopped.
    func accept() -> MuxSocket? {
        while true {
            let client = acceptClient(descriptor)
            if client >= 0 {
                _ = fcntl(client, F_SETFD, FD_CLOEXEC)
                if closed.withLock({ isClosed }) {
                    close(client)
                    return nil
                }
                // As ssh's master: only our own user (or root) may use the connection.
                guard let user = Self.peerUser(client), user == getuid() || user == 0 else {
                    close(client)
                    continue
                }
                return MuxSocket(descriptor: client)
            }
            if errno == EINTR || errno == ECONNABORTED { continue }
            return nil
        }
    }

    /// The user id of the process at the other end of `socket` (`SO_PEERCRED`: pid, uid, gid).
    private static func peerUser(_ socket: Int32) -> uid_t? {
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        let status = getsockopt(socket, SOL_SOCKET, 17, &credentials, &length)  // SO_PEERCRED
        guard status == 0, Int(length) == MemoryLayout.size(ofValue: credentials) else { return nil }
        return credentials.1
    }

    /// Stops listening and removes the socket file (`ssh -O stop`); idempotent.
    func stop() {
        let first = closed.withLock { () -> Bool in
            defer { isClosed = true }
            return !isClosed
        }
        guard first else { return }
        unlink(path)
        _ = shutdown(descriptor, Int32(SHUT_RDWR))
    }

    deinit {
        stop()
        _ = closeDescriptor(descriptor)
    }
}

private func makeSocket(_ domain: Int32, _ type: Int32, _ proto: Int32) -> Int32 { socket(domain, type, proto) }
private func startListening(_ socket: Int32, _ backlog: Int32) -> Int32 { listen(socket, backlog) }
private func acceptClient(_ socket: Int32) -> Int32 { accept(socket, nil, nil) }
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
