import NIOCore

/// Looks at the first bytes a channel carries toward a socket before they pass, and may change
/// them: X11 forwarding puts the display's real cookie in place of the one the server was given.
public protocol ChannelPrefixFilter: Sendable {
    /// Takes the next bytes: nil to wait for more, else what to send on (everything so far, as
    /// changed); after that the rest passes as it is. Throws to refuse the connection.
    mutating func take(_ data: ByteBuffer) throws -> ByteBuffer?
}

extension SSHChannel {
    /// Carries bytes both ways between this channel and a socket until both directions have
    /// ended: what a forwarding does with each connection (RFC 4254 §7). EOF from either side
    /// half-closes the other (the socket needs `allowRemoteHalfClosure`); the channel's CLOSE
    /// closes the socket, and the channel closes when both directions are done. Back-pressure
    /// holds both ways: the channel's window limits what the socket side may send, and the
    /// socket's writability what we read.
    /// With `filter`, the first bytes from the channel go through it first.
    public func bridge(to socket: NIOAsyncChannel<ByteBuffer, ByteBuffer>, filter: (any ChannelPrefixFilter)? = nil)
        async throws
    {
        try await socket.executeThenClose { inbound, outbound in
            var iterator = inbound.makeAsyncIterator()
            try await carry(from: &iterator, to: outbound, socket: socket.channel, filter: filter)
        }
        try? await close()
    }

    /// ``bridge(to:)`` for a socket whose first bytes were already read (a SOCKS request):
    /// `pending` goes first, then the rest of `iterator`.
    public func carry(
        from iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        to outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, socket: any Channel, pending: ByteBuffer? = nil,
        filter: (any ChannelPrefixFilter)? = nil
    ) async throws {
        let channel = self
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Channel to socket: EOF half-closes, CLOSE (the end of the output) closes.
                var halfClosed = false
                var filter = filter
                do {
                    for try await output in channel.output {
                        switch output {
                        case .stdout(let data), .stderr(let data):
                            if var first = filter {
                                let ready = try first.take(data)
                                filter = ready == nil ? first : nil
                                if let ready { try await outbound.write(ready) }
                            } else {
                                try await outbound.write(data)
                            }
                        case .eof:
                            if !halfClosed {
                                halfClosed = true
                                try? await socket.close(mode: .output)
                            }
                        default: continue
                        }
                    }
                } catch {
                    // A refused prefix ends both sides.
                    try? await channel.close()
                }
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
