import NIOCore

extension SSHChannel {
    /// Carries bytes both ways between this channel and a socket until both directions have
    /// ended: what a forwarding does with each connection (RFC 4254 §7). EOF from either side
    /// half-closes the other (the socket needs `allowRemoteHalfClosure`); the channel's CLOSE
    /// closes the socket, and the channel closes when both directions are done. Back-pressure
    /// holds both ways: the channel's window limits what the socket side may send, and the
    /// socket's writability what we read.
    public func bridge(to socket: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async throws {
        try await socket.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            try await carry(from: &iterator, to: outbound, socket: socket.channel)
        }
        try? await close()
    }

    /// ``bridge(to:)`` for a socket whose first bytes were already read (a SOCKS request):
    /// `pending` goes first, then the rest of `iterator`.
    public func carry(
        from iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, socket: any Channel, pending: ByteBuffer? = nil
    ) async throws {
        let channel = self
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Channel to socket: EOF half-closes, CLOSE (the end of the output) closes.
                var halfClosed = false
                do {
                    for try await output in channel.output {
                        switch output {
                        case .stdout(let data), .stderr(let data): try await outbound.write(data)
                        case .eof:
                            if !halfClosed {
                                halfClosed = true
                                try? await socket.close(mode: .output)
                            }
                        default: continue
                        }
                    }
                } catch {}
                try? await socket.close()
            }
            // Socket to channel.
            do {
                if let pending, pending.readableBytes > 0 { try await channel.write(pending) }
                while let data = try await iterator.next() { try await channel.write(data) }
                try await channel.sendEOF()
            } catch {
                try? await channel.sendEOF()
                try? await channel.close()
            }
            try await group.waitForAll()
        }
    }
}
