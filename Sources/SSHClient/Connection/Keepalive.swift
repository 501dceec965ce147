import SSHConnection
import SSHWire

/// ServerAliveInterval and ServerAliveCountMax: a `keepalive@openssh.com` global request
/// every `interval`; when `countMax` in a row go unanswered, the connection is given up.
struct Keepalive: Sendable {
    let runtime: ConnectionRuntime
    let interval: Duration
    let countMax: Int

    /// Returns when the server stopped answering (or the task was cancelled).
    func run() async {
        var missed = 0
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return
            }
            let answered = await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await runtime.globalRequest(.keepAlive)) != nil }
                group.addTask {
                    try? await Task.sleep(for: interval)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
            missed = answered ? 0 : missed + 1
            if missed >= countMax { return }
        }
    }
}
