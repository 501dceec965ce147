import Foundation
import NIOCore
import SSHAuth
import SSHCrypto
import SSHTestSupport
import SSHWire
import Testing

/// Our client and our agent, each against OpenSSH: every test runs with OpenSSH's `ssh-agent` (our client
/// drives it; `ssh-add` and `ssh-keygen` check what it did) and with ``SSHAgentServer`` (driven by the same
/// client and by `ssh-add` and `ssh-keygen -Y sign`), so both must behave the same.
@Suite("ssh-agent interop with OpenSSH", .timeLimit(.minutes(5)))
struct AgentInteropTests {
    static let message = Array("a message for the agent to sign".utf8)

    /// `ssh-add -l` lines, or none for an empty agent.
    static func listed(_ workspace: AgentWorkspace, _ agent: RunningAgent, flag: String = "-l") async throws -> [String]
    {
        let result = try await workspace.sshAdd([flag], socket: agent.socket)
        if result.output.contains("has no identities") { return [] }
        #expect(result.status == 0, "ssh-add \(flag): \(result.output)")
        return result.output.split(separator: "\n").map(String.init)
    }

    @Test(arguments: AgentKind.allCases)
    func clientAddsEveryKeyTypeAndSshAddListsThem(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            var keys: [SSHPrivateKey] = []
            for type in AgentKeyType.allCases {
                let key = try type.generate(comment: "paramiko-\(type.rawValue)")
                try await agent.client.add(key)
                keys.append(key)
            }
            let expected = keys.map { AgentIdentity(publicKey: $0.publicKey, comment: $0.comment) }
            #expect(try await agent.client.identities() == expected)
            #expect(try await Self.listed(workspace, agent) == expected.map(\.description))
            #expect(
                try await Self.listed(workspace, agent, flag: "-L")
                    == keys.map { "\($0.publicKey.openSSHLine) \($0.comment)" })
        }
    }

    @Test(arguments: AgentKind.allCases)
    func keysAddedBySshAddAreListedAndSign(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            var expected: [AgentIdentity] = []
            for type in AgentKeyType.allCases {
                let name = "file-\(type.rawValue)"
                let publicKey = try await workspace.makeKeyFile(name, type)
                let added = try await workspace.sshAdd([workspace.path(name)], socket: agent.socket)
                #expect(added.status == 0, "ssh-add \(name): \(added.output)")
                expected.append(AgentIdentity(publicKey: publicKey, comment: name))
            }
            let identities = try await agent.client.identities()
            #expect(identities == expected)
            if let server = agent.server { #expect(await server.keyring.identities == expected) }
            for signer in try await agent.client.signers() {
                for algorithm in signer.publicKey.signatureAlgorithms {
                    let signature = try await signer.sign(Self.message, algorithm: algorithm)
                    #expect(
                        signer.publicKey.isValidSignature(signature, for: Self.message, algorithm: algorithm),
                        "\(algorithm) by \(signer.identity.comment)")
                }
            }
        }
    }

    @Test(arguments: AgentKind.allCases)
    func removeRemoveAllLockAndUnlockBehaveAsSshAgent(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            let client = agent.client
            let first = try AgentKeyType.ed25519.generate(comment: "first")
            let second = try AgentKeyType.ecdsa256.generate(comment: "second")
            try await client.add(first)
            try await client.add(second)

            try await client.remove(first.publicKey)
            #expect(try await client.identities().map(\.publicKey) == [second.publicKey])
            await #expect(throws: AgentError.self) { try await client.remove(first.publicKey) }

            try await client.lock(passphrase: "sesame")
            #expect(try await client.identities().isEmpty)
            #expect(try await Self.listed(workspace, agent).isEmpty)
            for refused in [
                { try await client.sign(data: Self.message, key: second.publicKey) },
                {
                    try await client.add(first)
                    return []
                },
                {
                    try await client.remove(second.publicKey)
                    return []
                },
                {
                    try await client.lock(passphrase: "again")
                    return []
                },
                {
                    try await client.unlock(passphrase: "wrong")
                    return []
                },
            ] as [@Sendable () async throws -> [UInt8]] {
                let error = await #expect(throws: AgentError.self) { try await refused() }
                #expect(error?.code == .refused)
            }
            try await client.unlock(passphrase: "sesame")
            #expect(try await client.identities().map(\.publicKey) == [second.publicKey])
            let error = await #expect(throws: AgentError.self) { try await client.unlock(passphrase: "sesame") }
            #expect(error?.code == .refused, "an unlocked agent refuses UNLOCK")

            try await client.add(first)
            try await client.removeAll()
            #expect(try await client.identities().isEmpty)
            try await client.removeAll()
        }
    }

    @Test(arguments: AgentKind.allCases)
    func lifetimeConstraintIsAccepted(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            let key = try AgentKeyType.rsa.generate(comment: "for an hour")
            try await agent.client.add(key, lifetime: .seconds(3600))
            _ = try await workspace.makeKeyFile("timed", .ecdsa384)
            let added = try await workspace.sshAdd(["-t", "600", workspace.path("timed")], socket: agent.socket)
            #expect(added.status == 0 && added.output.contains("Lifetime set to 600 seconds"), "\(added.output)")
            #expect(try await agent.client.identities().map(\.comment) == ["for an hour", "timed"])
            let signature = try await agent.client.sign(
                data: Self.message, key: key.publicKey, algorithm: "rsa-sha2-256")
            #expect(key.publicKey.isValidSignature(signature, for: Self.message, algorithm: "rsa-sha2-256"))
            await #expect(throws: AgentError.self) { try await agent.client.add(key, lifetime: .zero) }
        }
    }

    @Test(arguments: AgentKind.allCases, [true, false])
    func confirmConstraintAsksBeforeEachUse(kind: AgentKind, allowed: Bool) async throws {
        try await AgentWorkspace.withAgent(kind, confirming: allowed) { workspace, agent in
            let key = try AgentKeyType.ed25519.generate(comment: "careful")
            try await agent.client.add(key, confirm: true)
            #expect(try await agent.client.identities().map(\.publicKey) == [key.publicKey])
            if allowed {
                let signature = try await agent.client.sign(data: Self.message, key: key.publicKey)
                #expect(key.publicKey.isValidSignature(signature, for: Self.message))
            } else {
                let error = await #expect(throws: AgentError.self) {
                    try await agent.client.sign(data: Self.message, key: key.publicKey)
                }
                #expect(error?.code == .refused)
            }
        }
    }

    @Test(arguments: AgentKind.allCases)
    func sshAddDeletesOneKeyAndAll(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            let kept = try await workspace.makeKeyFile("kept", .ed25519)
            _ = try await workspace.makeKeyFile("gone", .rsa)
            for name in ["kept", "gone"] { try await workspace.sshAdd([workspace.path(name)], socket: agent.socket) }
            let deleted = try await workspace.sshAdd(["-d", workspace.path("gone")], socket: agent.socket)
            #expect(deleted.status == 0, "\(deleted.output)")
            #expect(try await agent.client.identities().map(\.publicKey) == [kept])
            let again = try await workspace.sshAdd(["-d", workspace.path("gone")], socket: agent.socket)
            #expect(again.status != 0, "deleting a key the agent does not hold fails: \(again.output)")
            let all = try await workspace.sshAdd(["-D"], socket: agent.socket)
            #expect(all.status == 0 && all.output.contains("All identities removed"), "\(all.output)")
            #expect(try await agent.client.identities().isEmpty)
        }
    }

    @Test(arguments: AgentKind.allCases)
    func sshAddLocksAndUnlocksWithAskpass(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            let key = try AgentKeyType.ecdsa521.generate(comment: "locked away")
            try await agent.client.add(key)
            let right = AgentWorkspace.askpassEnvironment(try workspace.askpass(printing: "open sesame"))
            let wrong = AgentWorkspace.askpassEnvironment(
                try workspace.askpass(printing: "close sesame", named: "wrong"))

            let locked = try await workspace.sshAdd(["-x"], socket: agent.socket, environment: right)
            #expect(locked.status == 0 && locked.output.contains("Agent locked"), "\(locked.output)")
            if let server = agent.server { #expect(await server.keyring.isLocked) }
            #expect(try await agent.client.identities().isEmpty)
            #expect(try await Self.listed(workspace, agent).isEmpty)
            await #expect(throws: AgentError.self) { try await agent.client.unlock(passphrase: "close sesame") }

            let refused = try await workspace.sshAdd(["-X"], socket: agent.socket, environment: wrong)
            #expect(refused.status != 0, "\(refused.output)")
            let unlocked = try await workspace.sshAdd(["-X"], socket: agent.socket, environment: right)
            #expect(unlocked.status == 0 && unlocked.output.contains("Agent unlocked"), "\(unlocked.output)")
            #expect(
                try await Self.listed(workspace, agent) == [
                    AgentIdentity(publicKey: key.publicKey, comment: key.comment).description
                ])
        }
    }

    @Test(arguments: AgentKind.allCases)
    func sshKeygenSignsThroughTheAgent(kind: AgentKind) async throws {
        try await AgentWorkspace.withAgent(kind) { workspace, agent in
            let data = workspace.path("data")
            try Data(Self.message).write(to: URL(fileURLWithPath: data))
            for type in AgentKeyType.allCases where type != .dsa {
                let key = try type.generate(comment: "signer-\(type.rawValue)")
                try await agent.client.add(key)
                let publicFile = workspace.path("signer-\(type.rawValue).pub")
                try (key.publicKey.openSSHLine + "\n").write(toFile: publicFile, atomically: false, encoding: .utf8)
                try? FileManager.default.removeItem(atPath: data + ".sig")
                let signed = try await workspace.keygen(
                    ["-Y", "sign", "-f", publicFile, "-n", "file", data], socket: agent.socket)
                #expect(signed.status == 0, "ssh-keygen -Y sign with \(type): \(signed.output)")

                let allowed = workspace.path("allowed_signers")
                try "signer@example \(key.publicKey.openSSHLine)\n".write(
                    toFile: allowed, atomically: false, encoding: .utf8)
                let verified = try await workspace.keygen(
                    ["-Y", "verify", "-f", allowed, "-I", "signer@example", "-n", "file", "-s", data + ".sig"],
                    input: Data(Self.message))
                #expect(verified.status == 0, "ssh-keygen -Y verify with \(type): \(verified.output)")
            }
        }
    }
}
