import Foundation
import SSHAuth
import SSHCrypto
import SSHServer
import SSHTestSupport
import Testing

/// Agent forwarding to SSHServer: OpenSSH's `ssh -A` with our agent server behind it, and a
/// command on the server that lists the forwarded key with `ssh-add -l`.
@Suite(.enabled(if: Peers.available("ssh-add"), "OpenSSH ssh-add is not installed"), .serialized)
struct AgentForwardingTests {
    @Test func sshDashAExposesTheAgentToCommands() async throws {
        let workspace = try await ServerWorkspace.start()
        defer { Task { await workspace.stop() } }
        let agentDirectory = try Peers.temporaryDirectory("paramiko-agent")
        chmod(agentDirectory.path, 0o700)
        let agent = try await SSHAgentServer.listen(path: agentDirectory.path + "/agent.sock")
        defer { Task { await agent.close() } }
        let key = try SSHPrivateKey.generate(.ed25519)
        await agent.keyring.add(key, comment: "forwarded")
        let result = try await Peers.runDetached(
            workspace.ssh(["-A", "-o", "IdentityAgent=\(agent.path)"], "echo $SSH_AUTH_SOCK; ssh-add -l"))
        #expect(result.output.contains(key.publicKey.fingerprint()), "\(result.output)")
        #expect(result.output.contains("forwarded"))
        // Without -A the command sees no agent.
        let without = try await Peers.runDetached(workspace.ssh([], "ssh-add -l; echo status $?"))
        #expect(!without.output.contains(key.publicKey.fingerprint()))
    }
}
