import Foundation
import SSHTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// X11 forwarding (RFC 4254 §6.3) as `ssh -X` and `-Y` do it: a real X server (Xvfb) with a
/// cookie, sshd with X11Forwarding, and `xdpyinfo` run on the server through the forwarding;
/// the server only ever sees the fake cookie, and a client without it is refused.
@Suite(
    .serialized,
    .enabled(
        if: ["sshd", "Xvfb", "xauth", "xdpyinfo"].allSatisfy { Peers.executable($0) != nil } || Peers.required,
        "sshd, Xvfb, xauth or xdpyinfo is not installed"))
struct X11ForwardingTests {
    /// An Xvfb display of its own whose cookie is in `authority`.
    final class Display: @unchecked Sendable {
        let number: Int
        let directory: URL
        let authority: String
        let cookie: String
        private let pid: pid_t

        init() throws {
            directory = try Peers.temporaryDirectory("x11")
            authority = directory.appendingPathComponent("Xauthority").path
            cookie = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
            try? FileManager.default.createDirectory(atPath: "/tmp/.X11-unix", withIntermediateDirectories: true)
            chmod("/tmp/.X11-unix", 0o1777)
            var number = 0
            for candidate in (70..<200).shuffled() where !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(candidate)")
                && !FileManager.default.fileExists(atPath: "/tmp/.X\(candidate)-lock")
            {
                number = candidate
                break
            }
            self.number = number
            let xauth = try #require(Peers.executable("xauth"))
            let added = try Peers.run([xauth, "-f", authority, "add", ":\(number)", "MIT-MAGIC-COOKIE-1", cookie])
            guard added.status == 0 else { throw PeerError("xauth add failed: \(added.output)") }
            let xvfb = try #require(Peers.executable("Xvfb"))
            pid = try PeerSpawn.spawn(
                [xvfb, ":\(number)", "-nolisten", "tcp", "-auth", authority, "-screen", "0", "640x480x24"],
                output: .file(directory.appendingPathComponent("xvfb.log").path))
            for _ in 0..<250 where !FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)") { usleep(20_000) }
            guard FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)") else {
                throw PeerError("Xvfb did not start")
            }
        }

        deinit {
            PeerSpawn.stop(pid)
            try? FileManager.default.removeItem(at: directory)
            try? FileManager.default.removeItem(atPath: "/tmp/.X11-unix/X\(number)")
            try? FileManager.default.removeItem(atPath: "/tmp/.X\(number)-lock")
        }
    }

    @Test func xdpyinfoRunsThroughTheForwardingAsWithSsh() async throws {
        let display = try Display()
        let remoteAuthority = display.directory.appendingPathComponent("remote-Xauthority").path
        let sshd = try await OpenSSHServer.start(
            hostKeyTypes: ["ed25519"],
            configuration: ["LogLevel INFO", "X11Forwarding yes", "X11UseLocalhost yes", "SetEnv XAUTHORITY=\(remoteAuthority)"])
        defer { sshd.stop() }
        // sshd's xauth adds the fake cookie here; created now so that its first-use note is not in the output.
        _ = FileManager.default.createFile(atPath: remoteAuthority, contents: Data())
        let key = display.directory.appendingPathComponent("id").path
        let keygen = try #require(Peers.executable("ssh-keygen"))
        _ = try Peers.run([keygen, "-q", "-t", "ed25519", "-N", "", "-f", key])
        try sshd.authorize([try String(contentsOfFile: key + ".pub", encoding: .utf8)])
        let ssh = try #require(Peers.executable("ssh"))
        let paramiko = try Peers.paramiko()
        let environment = ["DISPLAY": ":\(display.number)", "XAUTHORITY": display.authority]
        func run(_ tool: [String], _ flags: [String], _ command: String) async throws -> (Int32, String) {
            let result = try await Peers.runDetached(
                tool + [
                    "-F", "/dev/null", "-p", "\(sshd.port)", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
                    "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                ] + flags + ["\(NSUserName())@127.0.0.1", command], timeout: 60, environment: environment)
            return (result.status, result.output)
        }
        let query = "xdpyinfo 2>&1 | grep -E '^(name of display|number of screens|vendor string)'; xauth list \"$DISPLAY\" | grep -c MIT"
        for flags in [["-X"], ["-Y"], ["-X", "-o", "ForwardX11Trusted=no"]] {
            let ours = try await run([paramiko, "ssh"], flags, query)
            let theirs = try await run([ssh], flags, query)
            #expect(ours.0 == 0, "\(flags): \(ours.1)")
            if !flags.contains("ForwardX11Trusted=no") {
                #expect(ours.1.contains("name of display:    localhost:1"), "\(flags): \(ours.1)")
                #expect(ours.1.contains("number of screens:    1"), "\(flags): \(ours.1)")
            }
            #expect(ours.1.replacingOccurrences(of: #"localhost:\d+"#, with: "D", options: .regularExpression)
                == theirs.1.replacingOccurrences(of: #"localhost:\d+"#, with: "D", options: .regularExpression), "\(flags)")
        }
        // The server holds only the fake cookie.
        let stored = try await run([paramiko, "ssh"], ["-Y"], "xauth list \"$DISPLAY\"")
        #expect(stored.0 == 0 && stored.1.contains("MIT-MAGIC-COOKIE-1"), "\(stored.1)")
        #expect(!stored.1.contains(display.cookie))
        // An X client without the cookie gets nothing through.
        let stranger = try await run([paramiko, "ssh"], ["-Y"], "XAUTHORITY=/dev/null xdpyinfo >/dev/null 2>&1; echo $?")
        #expect(stranger.1.hasSuffix("1\n"), "\(stranger.1)")
        // Without -X the session has no DISPLAY and the server's x11 channels would be refused.
        let none = try await run([paramiko, "ssh"], [], "echo \"[$DISPLAY]\"")
        #expect(none.1 == "[]\n", "\(none.1)")
    }
}
