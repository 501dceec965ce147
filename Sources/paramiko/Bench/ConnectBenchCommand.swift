import ArgumentParser
import SSHTransport

/// `paramiko bench connect`: one connection from TCP connect to the server's SERVICE_ACCEPT
/// for `ssh-userauth` (RFC 4253 §10), the point where authentication would start. `make bench`
/// times the whole process, as it times `ssh` reaching its first authentication attempt.
struct ConnectBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect",
        abstract: "Connect, exchange keys and reach SERVICE_ACCEPT once, then exit."
    )

    @Option(help: "Server address.")
    var host: String = "127.0.0.1"

    @Option(help: "Server port.")
    var port: Int = 22

    @Option(help: "Host key algorithms to ask for, comma-separated.")
    var hostKeyAlgorithms: String?

    func run() async throws {
        var configuration = TransportConfiguration(role: .client)
        if let hostKeyAlgorithms {
            configuration.algorithms.hostKey = hostKeyAlgorithms.split(separator: ",").map(String.init)
        }
        try await TransportConnection.withConnection(
            host: host, port: port, configuration: configuration, hostKeyPolicy: .acceptAny
        ) { _ in }
    }
}
