import Foundation

/// A detached tmux session on a private server socket, driven the way a person types: keys
/// in, the screen read back.
public struct TmuxSession: Sendable {
    let socket: String
    let name = "test"

    /// Starts `command` in a new window of `columns` × `rows`.
    public static func start(_ command: [String], columns: Int = 100, rows: Int = 30) throws -> TmuxSession {
        let session = TmuxSession(socket: "paramiko-\(getpid())-\(UUID().uuidString.prefix(8))")
        let quoted = command.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        let result = try Peers.run(
            [Peers.executable("tmux") ?? "tmux", "-L", session.socket, "-f", "/dev/null", "new-session", "-d", "-s", session.name,
             "-x", "\(columns)", "-y", "\(rows)", quoted])
        guard result.status == 0 else { throw PeerError("tmux did not start: \(result.output)") }
        return session
    }

    /// Types `keys` (tmux key names, such as `Enter` or `C-c`, or literal text).
    public func send(_ keys: String...) throws {
        _ = try Peers.run([Peers.executable("tmux") ?? "tmux", "-L", socket, "send-keys", "-t", name] + keys)
    }

    /// Resizes the window, as a person dragging the terminal's corner does: the programs in it get SIGWINCH.
    public func resize(columns: Int, rows: Int) throws {
        _ = try Peers.run(
            [Peers.executable("tmux") ?? "tmux", "-L", socket, "resize-window", "-t", name, "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// The visible screen.
    public func screen() throws -> String {
        try Peers.run([Peers.executable("tmux") ?? "tmux", "-L", socket, "capture-pane", "-p", "-t", name]).output
    }

    /// Waits up to `seconds` for the screen to contain `text`.
    public func waitFor(_ text: String, seconds: Double = 10) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try screen().contains(text) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Ends the tmux server and everything in it.
    public func stop() {
        _ = try? Peers.run([Peers.executable("tmux") ?? "tmux", "-L", socket, "kill-server"])
    }
}
