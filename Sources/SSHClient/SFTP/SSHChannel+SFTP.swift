import NIOConcurrencyHelpers
import NIOCore
import SFTP
import SSHConnection

extension SSHChannel {
    /// The channel as the byte stream SFTP runs over: its data in, its writes out (the `sftp`
    /// subsystem, draft-ietf-secsh-filexfer-02 §1). Its end sends EOF and leaves the channel open, so a
    /// server's session can still send the exit status before CLOSE (RFC 4254 §6.10), as scp waits for.
    public var sftpByteStream: SFTPByteStream { sftpByteStream(closing: false) }

    /// ``sftpByteStream``, whose end also closes the channel when `closing` (RFC 4254 §5.3): a
    /// client's end of a channel it opened for SFTP alone, as Paramiko's `SFTPClient.close` does.
    func sftpByteStream(closing: Bool) -> SFTPByteStream {
        SFTPByteStream(
            inbound: ChannelData(output: output), writer: ChannelByteWriter(channel: self, closes: closing),
            readerExecutor: connection.taskExecutor, takeInbound: { [self] take in try await takeData(take) })
    }

    /// Hands the channel's data to `take` as it arrives (``ConnectionRuntime/consumeOutput(of:_:)``)
    /// until EOF, the channel's end, or an error `take` throws, which this then throws.
    func takeData(_ take: sending @escaping (ByteBuffer) throws -> Void) async throws {
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        try await connection.consumeOutput(of: self) { batch in
            for output in batch {
                switch output {
                case .stdout(let data):
                    do {
                        try take(data)
                    } catch {
                        failure.withLockedValue { $0 = error }
                        return false
                    }
                case .eof: return false
                default: continue
                }
            }
            return true
        }
        if let error = failure.withLockedValue({ $0 }) { throw error }
    }
}

extension ConnectionRuntime {
    /// Opens a session, starts the `subsystem` on it (`sftp`), or runs it as a command when it is a
    /// path (OpenSSH sftp's `-s /usr/lib/openssh/sftp-server`), and connects an ``SFTPClient``.
    public func openSFTP(options: SFTPClientOptions = .init(), subsystem: String = "sftp") async throws -> SFTPClient {
        let channel = try await openSession()
        let started = subsystem.contains("/") ? try await channel.exec(subsystem) : try await channel.subsystem(subsystem)
        guard started else {
            try? await channel.close()
            throw SFTPError(.noConnection, "the server refused the \(subsystem) subsystem")
        }
        var options = options
        if options.symlinkOrder == .automatic,
            SFTPSymlinkOrder.peerPutsLinkFirst(peer: peerIdentification, ours: identification)
        {
            options.symlinkOrder = .linkFirst
        }
        return try await SFTPClient.connect(over: channel.sftpByteStream(closing: true), options: options)
    }
}

extension SSHClient {
    /// Opens an SFTP session on this connection (the `sftp` subsystem, draft-ietf-secsh-filexfer-02 §1,
    /// or `subsystem`, run as a command when it is a path).
    public func openSFTP(options: SFTPClientOptions = .init(), subsystem: String = "sftp") async throws -> SFTPClient {
        try await runtime.openSFTP(options: options, subsystem: subsystem)
    }
}

/// A channel's data chunks, ending at EOF or close.
struct ChannelData: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let output: SSHChannel.Output

    func makeAsyncIterator() -> Iterator { Iterator(base: output.makeAsyncIterator()) }

    struct Iterator: AsyncIteratorProtocol {
        var base: SSHChannel.Output.Iterator

        mutating func next() async throws -> ByteBuffer? {
            try await next(isolation: nil)
        }

        mutating func next(isolation actor: isolated (any Actor)?) async throws -> ByteBuffer? {
            while let output = try await base.next(isolation: actor) {
                switch output {
                case .stdout(let data): return data
                case .eof: return nil
                default: continue
                }
            }
            return nil
        }
    }
}

/// Writes SFTP frames as channel data; its end is EOF, and CLOSE too when it `closes`.
struct ChannelByteWriter: SFTPByteWriter {
    let channel: SSHChannel
    let closes: Bool

    func write(_ bytes: ByteBuffer) async throws {
        try await channel.write(bytes)
    }

    func finish() async {
        try? await channel.sendEOF()
        if closes { try? await channel.close() }
    }
}
