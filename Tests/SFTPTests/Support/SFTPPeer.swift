import Foundation
import SFTP
import SSHTestSupport

/// An SFTP server process talking over its standard input and output: OpenSSH's `sftp-server` or our own
/// `paramiko sftp-server`. Killed by its pid when stopped.
final class SFTPPeer: Sendable {
    let pid: pid_t
    let stream: SFTPByteStream

    /// OpenSSH's sftp-server, where the system keeps it.
    static let openSSHServerPath = "/usr/lib/openssh/sftp-server"

    static var openSSHServerAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: openSSHServerPath) || Peers.required
    }

    /// Starts `arguments` with its standard error in `log` (or discarded).
    init(_ arguments: [String], log: String? = nil) throws {
        let child = try PeerSpawn.spawnPiped(arguments, error: log.map { .file($0) } ?? .devNull)
        pid = child.pid
        stream = SFTPPipeStream.make(readingFrom: child.output, writingTo: child.input)
    }

    /// OpenSSH's sftp-server starting in `directory`.
    static func openSSH(startingIn directory: String? = nil) throws -> SFTPPeer {
        try SFTPPeer([openSSHServerPath, "-e", "-l", "ERROR"] + (directory.map { ["-d", $0] } ?? []))
    }

    /// A client connected to this peer.
    func connect(options: SFTPClientOptions = .init()) async throws -> SFTPClient {
        try await SFTPClient.connect(over: stream, options: options)
    }

    func stop() {
        PeerSpawn.stop(pid)
    }
}

/// A temporary directory removed when the test ends.
final class Scratch: Sendable {
    let path: String

    init(_ prefix: String = "sftp") throws {
        path = try Peers.temporaryDirectory(prefix).path
    }

    func sub(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: sub(name)))
    }

    func write(_ name: String, bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: sub(name)))
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: sub(name), encoding: .utf8)
    }

    func mkdir(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: sub(name), withIntermediateDirectories: true)
    }

    func exists(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: sub(name), isDirectory: &isDirectory)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: sub(name))) != nil
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
