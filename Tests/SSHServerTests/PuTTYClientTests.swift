import Foundation
import SSHCrypto
import SSHServer
import SSHTestSupport
import Testing

/// PuTTY's command-line tools against SSHServer, with the host key pinned by its fingerprint:
/// plink's exec with output, stderr and exit status, psftp's batch of transfers, renames, modes
/// and directories, and pscp.
@Suite(.enabled(if: Peers.available("plink") && Peers.available("puttygen"), "putty-tools is not installed"), .serialized)
struct PuTTYClientTests {
    struct Setup {
        let workspace: ServerWorkspace
        let root: URL
        let options: [String]
    }

    /// A server with SFTP under a root of its own, and the options every PuTTY tool takes to reach
    /// it: the port, our key in PuTTY's format, the host key's fingerprint and batch mode.
    static func setUp() async throws -> Setup {
        let root = try Peers.temporaryDirectory("putty-root")
        var configuration = SSHServerConfiguration()
        configuration.subsystems["sftp"] = sftpSubsystem(root: root.path)
        let workspace = try await ServerWorkspace.start(configuration: configuration)
        let ppk = workspace.directory.appendingPathComponent("id.ppk").path
        let converted = try await Peers.runDetached(
            [try #require(Peers.executable("puttygen")), workspace.keyPath, "-O", "private", "-o", ppk])
        #expect(converted.status == 0, "\(converted.output)")
        let options = ["-batch", "-hostkey", workspace.hostKey.publicKey.fingerprint(), "-P", "\(workspace.server.port)", "-i", ppk]
        return Setup(workspace: workspace, root: root, options: options)
    }

    @Test func plinkRunsCommands() async throws {
        let setup = try await Self.setUp()
        defer { Task { await setup.workspace.stop() } }
        let plink = try #require(Peers.executable("plink"))
        let result = try await Peers.runDetached(
            [plink] + setup.options + ["tester@127.0.0.1", "cat; echo err >&2; exit 4"], input: Data("in\n".utf8))
        #expect(result.status == 4, "\(result.output)")
        #expect(result.output.contains("in\n") && result.output.contains("err\n"), "\(result.output)")
    }

    @Test func psftpAndPscpMoveFiles() async throws {
        let setup = try await Self.setUp()
        defer { Task { await setup.workspace.stop() } }
        var generator = SeededRandom(seed: 19)
        let bytes = Data((0..<(2 << 20 + 5)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let local = setup.workspace.directory.appendingPathComponent("local.bin")
        try bytes.write(to: local)
        let batch = setup.workspace.directory.appendingPathComponent("batch")
        try """
        mkdir d
        cd d
        put \(local.path) up.bin
        get up.bin \(local.path).back
        ren up.bin moved.bin
        chmod 600 moved.bin
        mkdir gone
        rmdir gone
        ls

        """.write(to: batch, atomically: true, encoding: .utf8)
        let psftp = try await Peers.runDetached(
            [try #require(Peers.executable("psftp"))] + setup.options + ["-b", batch.path, "tester@127.0.0.1"])
        #expect(psftp.status == 0, "\(psftp.output)")
        #expect(psftp.output.contains("-rw-------"), "\(psftp.output)")
        let moved = setup.root.appendingPathComponent("d/moved.bin")
        #expect(try Data(contentsOf: moved) == bytes)
        #expect(try Data(contentsOf: URL(fileURLWithPath: local.path + ".back")) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.root.appendingPathComponent("d").path) == ["moved.bin"])

        let pscp = try await Peers.runDetached(
            [try #require(Peers.executable("pscp"))] + setup.options + ["-q", local.path, "tester@127.0.0.1:/d/pscp.bin"])
        #expect(pscp.status == 0, "\(pscp.output)")
        #expect(try Data(contentsOf: setup.root.appendingPathComponent("d/pscp.bin")) == bytes)
    }
}
