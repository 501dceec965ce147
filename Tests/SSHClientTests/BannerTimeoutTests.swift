import NIOCore
import NIOPosix
import SSHAuth
import Testing

@testable import SSHClient

/// A server that accepts and never speaks is given up after the banner timeout, with an error
/// that says so, not after the whole handshake allowance.
struct BannerTimeoutTests {
    @Test func silentServerTimesOut() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var configuration = SSHClientConfiguration()
        configuration.bannerTimeout = .milliseconds(300)
        configuration.handshakeTimeout = .seconds(600)
        do {
            _ = try await SSHClient.connect(
                host: "127.0.0.1", port: silent.localAddress?.port ?? 0, username: "nobody", authentication: AuthStrategy(),
                hostKeyPolicy: .acceptAnythingInsecurely, configuration: configuration)
            Issue.record("connected to a server that never spoke")
        } catch let error as SSHClientError {
            #expect(error.code == .timedOut, "\(error)")
            #expect(error.detail.contains("no identification from the server"), "\(error)")
        }
    }
}
