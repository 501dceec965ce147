#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SSHConnection
import SSHWire

/// The server side of agent forwarding (OpenSSH PROTOCOL.agent): a Unix socket in a private
/// directory whose connections each open an `auth-agent@openssh.com` channel to the client.
/// Processes of the session find it through `SSH_AUTH_SOCK`.
actor AgentForwarding {
    private var listener: ForwardingListener?
    private var directory: String?

    /// The socket's path, listening from the first call on.
    func socketPath(for runtime: ConnectionRuntime) async -> String? {
        if let directory { return directory + "/agent.sock" }
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        let template = (base.hasSuffix("/") ? base : base + "/") + "ssh-paramiko-XXXXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { return nil }
        let path = String(cString: made)
        let socket = path + "/agent.sock"
        do {
            listener = try await ForwardingListener.bind(.unix(path: socket), runtime: runtime) { _ in .authAgent }
        } catch {
            rmdir(path)
            return nil
        }
        directory = path
        return socket
    }

    /// Stops listening and removes the socket and its directory.
    func close() {
        listener?.close()
        listener = nil
        if let directory {
            unlink(directory + "/agent.sock")
            rmdir(directory)
        }
        directory = nil
    }
}
