import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Who may use an agent socket: as OpenSSH's ssh-agent decides it, only a peer running as this user or
/// as root. The socket's mode 0600 and its private directory already keep others out; this holds where
/// the kernel names the peer (Linux's SO_PEERCRED) even if the directory was not private after all.
enum AgentPeerCheck {
    /// Nil when `channel`'s peer may connect, else why not; asked as the connection is accepted, before
    /// anything is read.
    static func refusal(of channel: any Channel) -> EventLoopFuture<AgentError?> {
        #if os(Linux)
            guard let provider = channel as? SocketOptionProvider else {
                return channel.eventLoop.makeSucceededFuture(nil)
            }
            // struct ucred { pid_t pid; uid_t uid; gid_t gid; }, which the Glibc module does not import.
            let credentials: EventLoopFuture<(Int32, UInt32, UInt32)> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            return credentials.map { credentials -> AgentError? in
                let uid = credentials.1
                guard uid == 0 || uid == getuid() else {
                    return AgentError(.refused, "a peer running as uid \(uid), not as uid \(getuid()) or root")
                }
                return nil
            }.recover { error in
                AgentError(.socket, "the peer's credentials: \(error)")
            }
        #else
            return channel.eventLoop.makeSucceededFuture(nil)
        #endif
    }
}
