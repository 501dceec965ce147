import ArgumentParser
import Foundation
import NIOCore
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHTransport

/// `paramiko bench exec`: connect, log in with a key, run one command and count its output
/// (or feed it input), as `ssh host command > /dev/null` does; `make bench` times the process.
struct ExecBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a command over SSH, discarding its output or feeding it input."
    )

    @Option(help: "Server address.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 22

    @Option(help: "User name.")
    var user: String = NSUserName()

    @Option(name: .customShort("i"), help: "Private key file.")
    var identity: String

    @Option(help: "Cipher to ask for.")
    var cipher: String?

    @Option(help: "MAC to ask for.")
    var mac: String?

    @Option(help: "Bytes of input to send to the command before EOF.")
    var inputBytes: Int = 0

    @Argument(help: "The command.")
    var command: String

    func run() async throws {
        var configuration = TransportConfiguration(role: .client)
        if let cipher { configuration.algorithms.ciphers = [cipher] }
        if let mac { configuration.algorithms.macs = [mac] }
        let key = try SSHPrivateKey(path: identity)
        let (user, command, inputBytes) = (self.user, self.command, self.inputBytes)
        let (received, status) = try await TransportConnection.withConnection(
            host: host, port: port, configuration: configuration, hostKeyPolicy: .acceptAny
        ) { connection in
            _ = try await UserAuthClient(userName: user).authenticate(over: connection, credentials: [.publicKey(key)])
            try await connection.authenticationSucceeded()
            return try await ConnectionRuntime.withRuntime(over: connection) { runtime in
                let channel = try await runtime.openSession()
                guard try await channel.exec(command) else { throw ValidationError("the server refused exec") }
                let writer = Task {
                    var remaining = inputBytes
                    let block = ByteBuffer(repeating: 0x5a, count: 256 * 1024)
                    while remaining > 0 {
                        try await channel.write(block.getSlice(at: 0, length: min(remaining, block.readableBytes))!)
                        remaining -= min(remaining, block.readableBytes)
                    }
                    try await channel.sendEOF()
                }
                var received = 0
                var status: UInt32?
                var ended = false
                for try await output in channel.output {
                    switch output {
                    case .stdout(let data): received += data.readableBytes
                    case .eof: ended = true
                    case .exitStatus(let code): status = code
                    case .exitSignal: status = 255
                    default: break
                    }
                    // The exit may be reported before the last output: close once both are in.
                    if ended, status != nil { try await channel.close() }
                }
                try await writer.value
                return (received, status)
            }
        }
        let code = status ?? 255
        FileHandle.standardError.write(Data("received \(received) bytes, exit status \(code)\n".utf8))
        if code != 0 { throw ExitCode(Int32(code)) }
    }
}
