import Foundation
import SSHServer
import SSHTestSupport
import Testing

/// Dropbear's client, `dbclient`, against SSHServer: a key login, exec with stdin, stdout, stderr
/// and exit status for each cipher and MAC dropbear has, and -L forwarding.
@Suite(.enabled(if: Peers.available("dbclient") && Peers.available("dropbearconvert"), "dropbear-bin is not installed"), .serialized)
struct DropbearClientTests {
    /// `dbclient` with the workspace's key (converted to dropbear's format), no host key check,
    /// `options` and `command`.
    static func dbclient(_ workspace: ServerWorkspace, _ options: [String], _ command: String) async throws -> [String] {
        let convert = try #require(Peers.executable("dropbearconvert"))
        let key = workspace.directory.appendingPathComponent("id_dropbear").path
        if !FileManager.default.fileExists(atPath: key) {
            let converted = try await Peers.runDetached([convert, "openssh", "dropbear", workspace.keyPath, key])
            #expect(converted.status == 0, "\(converted.output)")
        }
        let dbclient = try #require(Peers.executable("dbclient"))
        return [dbclient, "-y", "-y", "-i", key, "-p", "\(workspace.server.port)"] + options + ["tester@127.0.0.1", command]
    }

    /// What dbclient reports it has for `-c help` or `-m help`.
    static func available(_ flag: String) async throws -> [String] {
        let dbclient = try #require(Peers.executable("dbclient"))
        let listed = try await Peers.runDetached([dbclient, flag, "help"])
        guard let line = listed.output.split(separator: "\n").first(where: { $0.contains("Available") }),
            let names = line.split(separator: ":").last
        else { return [] }
        return names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    @Test func execForEachCipherAndMAC() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let ciphers = try await Self.available("-c")
        let macs = try await Self.available("-m")
        #expect(ciphers.contains("chacha20-poly1305@openssh.com") && ciphers.contains("aes128-ctr"), "\(ciphers)")
        #expect(macs.contains("hmac-sha2-256"), "\(macs)")
        var generator = SeededRandom(seed: 3)
        let input = Data((0..<(3 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let digest = try await Peers.runDetached([try #require(Peers.executable("sha256sum"))], input: input)
        for options in ciphers.map({ ["-c", $0] }) + macs.map({ ["-c", "aes128-ctr", "-m", $0] }) {
            let hashed = try await Peers.runDetached(try await Self.dbclient(workspace, options, "sha256sum"), input: input)
            #expect(hashed.status == 0, "\(options): \(hashed.output)")
            #expect(hashed.output.contains(digest.output.prefix(64)), "\(options): \(hashed.output)")
        }
        let both = try await Peers.runDetached(try await Self.dbclient(workspace, [], "cat; echo err >&2; exit 3"), input: Data("in\n".utf8))
        #expect(both.status == 3)
        #expect(both.output.contains("in\n") && both.output.contains("err\n"), "\(both.output)")
    }

    @Test func localForwardCarriesTCPTraffic() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let echo = try await EchoServer.start()
        defer { echo.stop() }
        let localPort = freeLoopbackPort()
        let command = try await Self.dbclient(workspace, ["-L", "127.0.0.1:\(localPort):127.0.0.1:\(echo.port)"], "sleep 5")
        let forwarding = try PeerProcess(command, port: localPort, directory: workspace.directory)
        defer { forwarding.stop() }
        #expect(try await EchoServer.exchange(port: localPort, "through dbclient -L") == "through dbclient -L")
    }
}
