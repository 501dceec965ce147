import NIOCore
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHServer

/// The server side of `paramiko bench end-to-end`: one user key may log in, and two commands
/// are handled in process, with no child process: `down N` writes N zero bytes into the channel
/// from one preallocated block, `up N` reads the channel to EOF and exits 0 if N bytes came.
struct BulkServerDelegate: SSHServerDelegate {
    /// The key that may log in.
    var clientKey: SSHPublicKey
    /// The bytes `down` sends, slice after slice.
    var block: ByteBuffer

    func decide(_ request: ServerAuthRequest) async -> ServerAuthDecision {
        guard case .publicKey(_, let key, _, let signed, _) = request, key == clientKey else { return .failure }
        return signed ? .success : .publicKeyAcceptable
    }

    func exec(_ command: String, session: SessionContext) async -> SessionAction {
        let words = command.split(separator: " ")
        guard words.count == 2, let count = Int(words[1]), count >= 0 else { return .deny }
        switch words[0] {
        case "down":
            let block = self.block
            return .handle { channel, _ in
                do {
                    // A handler that only moves bytes runs on its connection's event loop.
                    try await withTaskExecutorPreference(channel.connection.taskExecutor) {
                        try await Self.write(count, from: block, into: channel)
                    }
                    return 0
                } catch {
                    return 1
                }
            }
        case "up":
            return .handle { channel, _ in
                do {
                    let received = try await withTaskExecutorPreference(channel.connection.taskExecutor) {
                        try await Self.drain(channel)
                    }
                    return received == count ? 0 : 1
                } catch {
                    return 1
                }
            }
        default:
            return .deny
        }
    }

    /// Writes `count` bytes of `block`'s contents, reusing its storage for every write.
    static func write(_ count: Int, from block: ByteBuffer, into channel: SSHChannel) async throws {
        var remaining = count
        while remaining > 0 {
            let length = min(remaining, block.readableBytes)
            try await channel.write(block.getSlice(at: block.readerIndex, length: length)!)
            remaining -= length
        }
    }

    /// Reads the channel's data until EOF and returns how many bytes came.
    static func drain(_ channel: SSHChannel) async throws -> Int {
        var received = 0
        for try await output in channel.output {
            switch output {
            case .stdout(let data): received += data.readableBytes
            case .eof: return received
            default: break
            }
        }
        return received
    }
}
