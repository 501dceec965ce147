import NIOCore
import SSHClient
import SSHConnection

/// One bulk transfer of `paramiko bench end-to-end` over a connected client: `down` reads what
/// the server's `down N` handler writes, `up` writes into its `up N` handler. Timed from the exec
/// request to the exit status, which the server reports once it has written or read every byte.
enum EndToEndThroughput {
    static func measure(client: SSHClient, direction: String, bytes: Int, blockSize: Int) async throws
        -> (seconds: Double, cpuSeconds: Double)
    {
        let block = ByteBuffer(repeating: 0x5a, count: blockSize)
        let before = ResourceUsage.current()
        let clock = ContinuousClock()
        let start = clock.now
        let channel = try await client.exec("\(direction) \(bytes)")
        // Both ends move bytes on the connection's own event loop, as `paramiko ssh` does.
        let loop = channel.connection.taskExecutor
        let writer = Task(executorPreference: loop) {
            if direction == "up" { try await BulkServerDelegate.write(bytes, from: block, into: channel) }
            try await channel.sendEOF()
        }
        let (received, status) = try await withTaskExecutorPreference(loop) {
            var received = 0
            var status: UInt32?
            var completion = SessionCompletion()
            for try await output in channel.output {
                switch output {
                case .stdout(let data): received += data.readableBytes
                case .exitStatus(let code): status = code
                case .exitSignal: status = 255
                default: break
                }
                if completion.note(output) { try? await channel.close() }
            }
            return (received, status)
        }
        try await writer.value
        let seconds = (clock.now - start).inSeconds
        let cpuSeconds = ResourceUsage.current().cpuSeconds - before.cpuSeconds
        guard status == 0, received == (direction == "down" ? bytes : 0) else {
            throw EndToEndError(direction: direction, received: received, status: status)
        }
        return (seconds, cpuSeconds)
    }
}

/// A transfer that did not deliver every byte.
struct EndToEndError: Error, CustomStringConvertible {
    var direction: String
    var received: Int
    var status: UInt32?

    var description: String {
        "\(direction): received \(received) bytes, exit status \(status.map(String.init) ?? "none")"
    }
}
