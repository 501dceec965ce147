import Foundation

/// A peer daemon started for one test: its output goes to a log file in its own directory, it
/// is up once its port accepts connections, and it is killed with its process group and its
/// directory removed on `stop()`.
public final class PeerProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// Its working directory.
    public let directory: URL
    private let pid: pid_t
    private let lock = NSLock()
    private var stopped = false

    /// Starts `arguments`, which listen on `port`, and waits up to five seconds for the port.
    public convenience init(_ arguments: [String], port: Int, directory: URL) throws {
        let pid = try PeerSpawn.spawn(arguments, output: .file(Self.logPath(directory)))
        try self.init(pid: pid, port: port, directory: directory, name: arguments[0])
    }

    /// Starts `arguments`, which print the port they listen on as their first line of output.
    public convenience init(printingPort arguments: [String], directory: URL) throws {
        let pid = try PeerSpawn.spawn(arguments, output: .file(Self.logPath(directory)))
        let printed = PeerSpawn.printedPort(log: Self.logPath(directory), pid: pid) {
            Int($0.trimmingCharacters(in: .whitespaces))
        }
        guard let port = printed else {
            PeerSpawn.stop(pid)
            throw PeerError("\(arguments[0]) printed no port")
        }
        try self.init(pid: pid, port: port, directory: directory, name: arguments[0])
    }

    private init(pid: pid_t, port: Int, directory: URL, name: String) throws {
        self.pid = pid
        self.port = port
        self.directory = directory
        var up = false
        for _ in 0..<250 {
            up = loopbackPortAccepts(port)
            if up || !PeerSpawn.isRunning(pid) { break }
            usleep(20_000)
        }
        guard up else {
            stop()
            throw PeerError("\(name) did not start: \(log)")
        }
    }

    private static func logPath(_ directory: URL) -> String {
        directory.appendingPathComponent("peer.log").path
    }

    /// What the peer has written so far.
    public var log: String {
        (try? String(contentsOfFile: Self.logPath(directory), encoding: .utf8)) ?? ""
    }

    /// Kills the peer and removes its directory.
    public func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        PeerSpawn.stop(pid)
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}
