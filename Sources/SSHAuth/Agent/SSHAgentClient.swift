import NIOCore
import NIOPosix
import SSHCrypto
import SSHWire

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client of an SSH agent on a Unix socket, OpenSSH's ssh-agent or any other (draft-miller-ssh-agent-14):
/// list keys, sign with them, add, remove, lock and unlock.
///
/// ```swift
/// let agent = try SSHAgentClient()                 // $SSH_AUTH_SOCK
/// for identity in try await agent.identities() { print(identity) }
/// let signature = try await agent.sign(data: bytes, key: identity.publicKey, algorithm: "rsa-sha2-256")
/// ```
///
/// Each call opens a connection, sends one request, reads one answer and closes, all on NIO's event
/// loops: no cooperative thread ever blocks. Answers are bounded by ``AgentFrameDecoder/maximumFrameLength``.
public struct SSHAgentClient: Sendable {
    /// The agent's socket.
    public let socketPath: String
    private let group: any EventLoopGroup

    /// A client of the agent at `socketPath`, or at `$SSH_AUTH_SOCK` when it is nil; throws
    /// ``AgentError/Code/noAgent`` when neither is set.
    public init(
        socketPath: String? = nil, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(AgentError) {
        guard let path = socketPath ?? Self.environmentSocket(), !path.isEmpty else {
            throw AgentError(.noAgent, "no agent socket given and SSH_AUTH_SOCK is not set")
        }
        self.socketPath = path
        self.group = group
    }

    private static func environmentSocket() -> String? {
        getenv("SSH_AUTH_SOCK").map { String(cString: $0) }
    }

    // MARK: Requests

    /// The keys the agent holds, in its order (§3.5); keys of types this library cannot parse are left out.
    public func identities() async throws(AgentError) -> [AgentIdentity] {
        switch try await send(.requestIdentities) {
        case .identities(let identities): return identities
        case let other: throw Self.unexpected(other, "REQUEST_IDENTITIES")
        }
    }

    /// Agent-held keys as ``SSHSigner``s, to authenticate with like key files.
    public func signers() async throws(AgentError) -> [AgentSigner] {
        try await identities().map { AgentSigner(agent: self, identity: $0) }
    }

    /// Signs `data` with the agent's private half of `key` and returns the signature blob,
    /// `string algorithm, string signature` (§3.6, RFC 4253 §6.6). `algorithm` must be one of
    /// `key.signatureAlgorithms` (nil: the first, `rsa-sha2-512` for RSA); for RSA it sets the
    /// SSH_AGENT_RSA_SHA2_256 or _512 flag (§3.6.1), and an answer signed with another algorithm throws
    /// ``AgentError/Code/unexpectedResponse``.
    public func sign(data: [UInt8], key: SSHPublicKey, algorithm: String? = nil) async throws(AgentError) -> [UInt8] {
        guard let algorithm = algorithm ?? key.signatureAlgorithms.first,
            key.signatureAlgorithms.contains(algorithm)
        else {
            throw AgentError(.invalidArgument, "a \(key.keyType) key cannot sign with \(algorithm ?? "no algorithm")")
        }
        let request = AgentRequest.sign(key: key, data: data, flags: AgentSignFlags(requesting: algorithm))
        switch try await send(request) {
        case .signature(let blob):
            var buffer = ByteBuffer(bytes: blob)
            let expected = SSHPublicKey.plainAlgorithm(ofCertificateAlgorithm: algorithm)
            guard let signed = try? buffer.readSSHUTF8String(), signed == expected else {
                throw AgentError(.unexpectedResponse, "the agent did not sign with \(expected) as asked")
            }
            return blob
        case .failure:
            throw AgentError(.refused, "the agent refused to sign with \(key)")
        case let other:
            throw Self.unexpected(other, "SIGN_REQUEST")
        }
    }

    /// Adds `key` under `comment` (default: the key's own) (§3.2): with `lifetime` the agent forgets it
    /// after that long, rounded up to whole seconds (§3.2.7.1); with `confirm` it asks its user before each
    /// use (§3.2.7.2).
    public func add(
        _ key: SSHPrivateKey, comment: String? = nil, lifetime: Duration? = nil, confirm: Bool = false
    ) async throws(AgentError) {
        var constraints: [AgentConstraint] = []
        if let lifetime { constraints.append(.lifetime(seconds: try Self.seconds(lifetime))) }
        if confirm { constraints.append(.confirm) }
        try await expectSuccess(
            .addIdentity(key: key, comment: comment ?? key.comment, constraints: constraints),
            "add the \(key.type.sshName) key")
    }

    /// Removes `key` (§3.4); throws ``AgentError/Code/refused`` when the agent does not hold it.
    public func remove(_ key: SSHPublicKey) async throws(AgentError) {
        try await expectSuccess(.removeIdentity(key: key), "remove \(key)")
    }

    /// Removes every key (§3.4).
    public func removeAll() async throws(AgentError) {
        try await expectSuccess(.removeAllIdentities, "remove all keys")
    }

    /// Locks the agent with `passphrase` (§3.7): until unlocked it lists no keys and refuses all else.
    public func lock(passphrase: SecureBytes) async throws(AgentError) {
        try await expectSuccess(.lock(passphrase: passphrase), "lock")
    }

    /// ``lock(passphrase:)-(SecureBytes)`` with a string passphrase.
    public func lock(passphrase: String) async throws(AgentError) {
        try await lock(passphrase: SecureBytes(passphrase.utf8))
    }

    /// Unlocks the agent (§3.7); throws ``AgentError/Code/refused`` for a wrong passphrase or an agent that
    /// is not locked.
    public func unlock(passphrase: SecureBytes) async throws(AgentError) {
        try await expectSuccess(.unlock(passphrase: passphrase), "unlock")
    }

    /// ``unlock(passphrase:)-(SecureBytes)`` with a string passphrase.
    public func unlock(passphrase: String) async throws(AgentError) {
        try await unlock(passphrase: SecureBytes(passphrase.utf8))
    }

    /// Sends any request and returns the agent's answer as it came, SSH_AGENT_FAILURE included; use it
    /// for extensions (§3.8).
    public func send(_ request: AgentRequest) async throws(AgentError) -> AgentResponse {
        var frame = try request.frame()
        defer { frame.zeroize() }
        let payload = try await exchange(frame)
        return try AgentResponse(payload: payload)
    }

    // MARK: Plumbing

    private func expectSuccess(_ request: AgentRequest, _ what: String) async throws(AgentError) {
        switch try await send(request) {
        case .success: return
        case .failure: throw AgentError(.refused, "the agent refused to \(what)")
        case let other: throw Self.unexpected(other, what)
        }
    }

    private static func unexpected(_ response: AgentResponse, _ request: String) -> AgentError {
        AgentError(.unexpectedResponse, "the agent answered \(request) with \(response.messageNumber)")
    }

    private static func seconds(_ lifetime: Duration) throws(AgentError) -> UInt32 {
        let (seconds, attoseconds) = lifetime.components
        let whole = attoseconds > 0 ? seconds.addingReportingOverflow(1) : (partialValue: seconds, overflow: false)
        guard !whole.overflow, whole.partialValue > 0, let value = UInt32(exactly: whole.partialValue) else {
            throw AgentError(.invalidArgument, "a key lifetime is 1 to \(UInt32.max) seconds, not \(lifetime)")
        }
        return value
    }

    /// Writes one frame on a new connection and reads one frame back.
    private func exchange(_ frame: ByteBuffer) async throws(AgentError) -> ByteBuffer {
        let path = socketPath
        do {
            let channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: path) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(frame)
                var decoder = AgentFrameDecoder()
                for try await chunk in inbound {
                    decoder.receive(chunk)
                    if let payload = try decoder.nextFrame() { return payload }
                }
                throw AgentError(
                    .connectionClosed,
                    "the agent closed the connection after \(decoder.bufferedBytes) bytes of an answer")
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.socket, "agent at \(path): \(error)")
        }
    }
}
