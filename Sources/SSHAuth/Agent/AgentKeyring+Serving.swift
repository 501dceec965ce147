import NIOCore

extension AgentKeyring {
    /// Serves one client over any byte stream until it ends: `inbound` yields what the client sends,
    /// `write` sends the answers (draft-miller-ssh-agent-14 §3). This is how a socket connection, or later
    /// a forwarded `auth-agent@openssh.com` channel, becomes an agent.
    ///
    /// Returns when the client closes between frames or the task is cancelled; throws the error that ended
    /// the connection: an ``AgentError/Code/frameTooLarge`` or ``AgentError/Code/malformedMessage`` frame
    /// (after answering the latter with SSH_AGENT_FAILURE), ``AgentError/Code/connectionClosed`` inside a
    /// frame, or ``AgentError/Code/socket`` when reading or writing failed.
    public nonisolated func serve<Inbound: AsyncSequence>(
        inbound: Inbound, write: (ByteBuffer) async throws -> Void
    ) async throws(AgentError) where Inbound.Element == ByteBuffer {
        var session = AgentSession()
        do {
            for try await chunk in inbound {
                session.receive(chunk)
                while let event = session.nextEvent() {
                    switch event {
                    case .request(let request):
                        let response = await respond(to: request)
                        try await write(session.frame(response))
                    case .reject:
                        try await write(session.frame(.failure))
                    case .close(let error, let reply):
                        if let reply { try await write(reply) }
                        throw error
                    }
                }
            }
        } catch let error as AgentError {
            throw error
        } catch is CancellationError {
            return
        } catch {
            throw AgentError(.socket, "serving an agent connection: \(error)")
        }
        if let error = session.endOfInput() { throw error }
    }

    /// Serves one client on a NIO channel of bytes (a Unix socket connection, or any channel that carries
    /// the agent protocol), then closes it; see ``serve(inbound:write:)``.
    public nonisolated func serve(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws(AgentError) {
        do {
            try await channel.executeThenClose { inbound, outbound in
                try await serve(inbound: inbound) { try await outbound.write($0) }
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.socket, "closing an agent connection: \(error)")
        }
    }
}
