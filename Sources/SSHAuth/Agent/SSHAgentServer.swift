import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SSHTransport

/// An SSH agent on a Unix socket, serving an ``AgentKeyring`` to `ssh`, `ssh-add`, `ssh-keygen -Y sign`
/// or ``SSHAgentClient`` as OpenSSH's ssh-agent does (draft-miller-ssh-agent-14).
///
/// ```swift
/// let server = try await SSHAgentServer.listen(path: directory + "/agent.sock")
/// await server.keyring.add(key)
/// // SSH_AUTH_SOCK=…/agent.sock ssh-add -l
/// await server.close()
/// ```
///
/// The socket is created with mode 0600 in a directory that must belong to the caller and be writable by
/// no one else; ``close()`` removes it. On Linux, a peer that runs as another user than this process (or
/// root) is turned away, as ssh-agent does. Each connection is an ``AgentSession`` served by
/// ``AgentKeyring/serve(_:)``, which other transports can use as well.
public final class SSHAgentServer: Sendable {
    /// The socket's path: what `SSH_AUTH_SOCK` should say.
    public let path: String
    /// The keys served.
    public let keyring: AgentKeyring
    private let socketFile: UnixSocketFile
    private let serverChannel: any Channel
    private let acceptLoop: Task<Void, Never>
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>

    private init(
        keyring: AgentKeyring, socketFile: UnixSocketFile, serverChannel: any Channel, acceptLoop: Task<Void, Never>,
        connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>
    ) {
        self.connections = connections
        self.path = socketFile.path
        self.keyring = keyring
        self.socketFile = socketFile
        self.serverChannel = serverChannel
        self.acceptLoop = acceptLoop
    }

    /// Creates the socket at `path` (mode 0600; nothing may exist there yet) and serves `keyring` on it.
    /// `onConnectionError` hears why a connection was closed early: a frame over the limit, a malformed
    /// message, a client gone mid-frame.
    public static func listen(
        path: String,
        keyring: AgentKeyring = AgentKeyring(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        onConnectionError: (@Sendable (AgentError) -> Void)? = nil
    ) async throws(AgentError) -> SSHAgentServer {
        let (descriptor, socketFile) = try UnixSocketFile.bind(path: path)
        // Every accepted connection, so close() can end them; each leaves the set as it closes.
        let open = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let server: NIOAsyncChannel<AcceptedChannel<ByteBuffer, ByteBuffer>, Never>
        do {
            server = try await ServerBootstrap(group: group).bind(descriptor) { channel in
                AgentPeerCheck.refusal(of: channel).flatMapThrowing { refusal in
                    if let refusal {
                        onConnectionError?(refusal)
                        throw refusal
                    }
                    let key = ObjectIdentifier(channel)
                    open.withLockedValue { $0[key] = channel }
                    channel.closeFuture.whenComplete { _ in open.withLockedValue { _ = $0.removeValue(forKey: key) } }
                    return try AcceptedChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            socketFile.remove()
            throw AgentError(.socket, "listening on \(path): \(error)")
        }
        let acceptLoop = Task<Void, Never> {
            try? await server.executeThenClose { connections in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await accepted in connections {
                        guard let connection = accepted.take() else { continue }
                        group.addTask {
                            do throws(AgentError) {
                                try await keyring.serve(connection)
                            } catch {
                                onConnectionError?(error)
                            }
                        }
                    }
                }
            }
        }
        return SSHAgentServer(
            keyring: keyring, socketFile: socketFile, serverChannel: server.channel, acceptLoop: acceptLoop,
            connections: open)
    }

    /// Stops accepting, ends every connection, and removes the socket file. A connection waiting for the
    /// keyring's confirmation callback ends when that returns.
    public func close() async {
        // Closing the listener ends the stream of connections; every connection accepted by then is
        // still served (a dropped one would never be closed) and ends as its channel is closed here.
        try? await serverChannel.close()
        for channel in connections.withLockedValue({ Array($0.values) }) { channel.close(promise: nil) }
        await acceptLoop.value
        socketFile.remove()
    }
}
