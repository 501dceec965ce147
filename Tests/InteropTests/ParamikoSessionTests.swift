import Foundation
import SSHAuth
import SSHClient
import SSHCrypto
import SSHTestSupport
import Testing

/// SSHClient's channels against python paramiko's server, which gives window back in steps of a
/// tenth of it: bulk data both ways arrives whole, and a sender that keeps part of the peer's
/// window back is never left waiting for a WINDOW_ADJUST that does not come.
@Suite(.enabled(if: PythonPeer.hasParamiko || Peers.required, "python paramiko is not installed"), .serialized)
struct ParamikoSessionTests {
    static func withServer(_ body: (SSHClient) async throws -> Void) async throws {
        let server = try PythonPeer.startServer(PythonPeer.sessionServerScript, scratch: "paramiko-session")
        defer { server.stop() }
        var strategy = AuthStrategy()
        strategy.lookForKeys = false
        strategy.password = "secret"
        let client = try await SSHClient.connect(
            host: "127.0.0.1", port: server.port, username: "tester", authentication: strategy,
            hostKeyPolicy: .acceptAnythingInsecurely)
        do {
            try await body(client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    @Test func uploadArrivesWhole() async throws {
        // 12 MiB: twelve copies of a random MiB, each with its number in its first byte.
        let block = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255) }
        var input: [UInt8] = []
        for index in 0..<12 {
            input += block
            input[index << 20] = UInt8(index)
        }
        let digest = try DigestAlgorithm.sha256.hash(input).map { String(format: "%02x", $0) }.joined()
        try await Self.withServer { client in
            let result = try await client.run("sink", input: input)
            #expect(result.exitStatus == 0)
            #expect(result.output == "\(input.count) \(digest)\n")
        }
    }

    @Test func downloadArrivesWhole() async throws {
        let count = 12 << 20
        try await Self.withServer { client in
            let result = try await client.run("source \(count)")
            #expect(result.exitStatus == 0)
            #expect(result.stdout.count == count)
            #expect(result.stdout.enumerated().allSatisfy { $0.element == UInt8(truncatingIfNeeded: $0.offset) })
        }
    }
}
