import Foundation
import NIOCore
import NIOPosix
import SSHAuth
import SSHServer
import SSHTestSupport
import Testing

/// The server's limits with real clients: many connections in a row, stalled clients dropped
/// at the grace time without slowing others, a flood of unauthenticated connections refused
/// while a logged-in session works.
@Suite(.enabled(if: Peers.available("ssh"), "OpenSSH ssh is not installed"), .serialized)
struct ServerLimitsInteropTests {
    static func residentKilobytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }

    @Test func twoHundredConnectionsEightAtATime() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let command = workspace.ssh([], "true")
        // Warm up, then measure memory across the loop.
        _ = try await Peers.runDetached(command)
        let before = Self.residentKilobytes()
        let failures = try await withThrowingTaskGroup(of: Int32.self) { group in
            var failures = 0
            var started = 0
            while started < 8 {
                group.addTask { try await Peers.runDetached(command).status }
                started += 1
            }
            while let status = try await group.next() {
                if status != 0 { failures += 1 }
                if started < 200 {
                    group.addTask { try await Peers.runDetached(command).status }
                    started += 1
                }
            }
            return failures
        }
        #expect(failures == 0)
        for _ in 0..<50 where workspace.server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(workspace.server.connectionCount == 0)
        let after = Self.residentKilobytes()
        // Connections leave nothing behind: growth stays far below what 200 kept connections take.
        #expect(after - before < 40_000, "RSS grew from \(before) KiB to \(after) KiB")
    }

    @Test func stalledClientsAreDroppedAtTheGraceTime() async throws {
        var configuration = SSHServerConfiguration()
        configuration.authentication.loginGraceTime = .seconds(1)
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        defer { Task { await workspace.stop() } }
        // One client sends nothing at all; another stops after its version line.
        let silent = try await Self.rawConnection(port: workspace.server.port)
        let stalled = try await Self.rawConnection(port: workspace.server.port)
        try await stalled.writeAndFlush(ByteBuffer(string: "SSH-2.0-Stalled\r\n"))
        // Meanwhile a real client logs in and runs a command.
        let result = try await Peers.runDetached(workspace.ssh([], "echo fine"))
        #expect(result.output == "fine\n")
        try await Task.sleep(for: .milliseconds(1500))
        #expect(!silent.isActive)
        #expect(!stalled.isActive)
        #expect(workspace.server.unauthenticatedCount == 0)
    }

    @Test func idleConnectionsAreClosed() async throws {
        var configuration = SSHServerConfiguration()
        configuration.idleTimeout = .milliseconds(700)
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        defer { Task { await workspace.stop() } }
        // A session that sends nothing while its command sleeps is cut off; one that finishes in time is not.
        let quick = try await Peers.runDetached(workspace.ssh([], "echo quick"))
        #expect(quick.output == "quick\n")
        let started = ContinuousClock.now
        let idle = try await Peers.runDetached(workspace.ssh([], "sleep 20; echo never"))
        #expect(!idle.output.contains("never"))
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test func floodOfUnauthenticatedConnectionsIsRefusedWhileASessionWorks() async throws {
        var configuration = SSHServerConfiguration()
        configuration.unauthenticatedStart = 5
        configuration.unauthenticatedRate = 100
        configuration.unauthenticatedFull = 10
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        defer { Task { await workspace.stop() } }
        // A session that logged in before the flood.
        let quoted = workspace.ssh([], "sleep 2; echo survived").map { "'\($0)'" }.joined(separator: " ")
        let session = Task { try await Peers.runDetached(["/bin/sh", "-c", quoted]) }
        try await Task.sleep(for: .milliseconds(700))
        var flood: [any Channel] = []
        for _ in 0..<30 { flood.append(try await Self.rawConnection(port: workspace.server.port)) }
        try await Task.sleep(for: .milliseconds(300))
        let open = flood.filter(\.isActive).count
        #expect(open == 5, "\(open) unauthenticated connections stayed open")
        #expect(workspace.server.unauthenticatedCount == 5)
        let result = try await session.value
        #expect(result.output.contains("survived"))
        for channel in flood { try? await channel.close() }
    }

    static func rawConnection(port: Int) async throws -> any Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
    }
}
