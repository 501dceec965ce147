import NIOCore
import SSHCrypto
import SSHWire

extension AgentRequest {
    /// Decodes one request payload, message number first, which must be consumed exactly
    /// (draft-miller-ssh-agent-14 §3).
    ///
    /// Throws ``AgentError/Code/unknownMessage`` for a number that is not a request an agent serves,
    /// ``AgentError/Code/unsupported`` for a key type or constraint this agent cannot hold, and
    /// ``AgentError/Code/malformedMessage`` for anything truncated, overlong or invalid.
    public init(payload: ByteBuffer) throws(AgentError) {
        var buffer = payload
        let number = try buffer.readAgentMessageNumber(of: "request")
        guard let type = AgentMessageNumber(rawValue: number) else {
            throw AgentError(.unknownMessage, "request type \(number)")
        }
        do {
            self = try Self.read(type, from: &buffer)
            try buffer.expectSSHEnd(of: "agent request \(number)")
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.malformedMessage, "agent request \(number): \(error)")
        }
    }

    private static func read(_ type: AgentMessageNumber, from buffer: inout ByteBuffer) throws -> AgentRequest {
        switch type {
        case .requestIdentities: return .requestIdentities
        case .removeAllIdentities: return .removeAllIdentities
        case .signRequest:
            let key = try readPublicKey(&buffer)
            let data = Array(try buffer.readSSHString().readableBytesView)
            return .sign(key: key, data: data, flags: AgentSignFlags(rawValue: try buffer.readSSHUInt32()))
        case .addIdentity, .addIdentityConstrained:
            let key = try readPrivateKey(&buffer)
            let comment = String(decoding: try buffer.readSSHString().readableBytesView, as: UTF8.self)
            let constraints = type == .addIdentity ? [] : try AgentConstraint.readAll(from: &buffer)
            return .addIdentity(key: key, comment: comment, constraints: constraints)
        case .removeIdentity:
            return .removeIdentity(key: try readPublicKey(&buffer))
        case .lock, .unlock:
            let passphrase = SecureBytes(try buffer.readSSHString().readableBytesView)
            return type == .lock ? .lock(passphrase: passphrase) : .unlock(passphrase: passphrase)
        case .extension:
            let name = try buffer.readSSHUTF8String()
            return .extension(name: name, contents: Array(buffer.readSSHRemainingBytes().readableBytesView))
        case .failure, .success, .identitiesAnswer, .signResponse, .extensionFailure, .extensionResponse:
            throw AgentError(.unknownMessage, "\(type) is a reply, not a request")
        }
    }

    /// A key blob (RFC 4253 §6.6); a type this library does not know is unsupported, not malformed.
    private static func readPublicKey(_ buffer: inout ByteBuffer) throws -> SSHPublicKey {
        let blob = Array(try buffer.readSSHString().readableBytesView)
        do {
            return try SSHPublicKey(blob: blob)
        } catch let error where error.code == .unsupportedAlgorithm {
            throw AgentError(.unsupported, "public key: \(error.detail)")
        } catch {
            throw AgentError(.malformedMessage, "public key: \(error.detail)")
        }
    }

    /// The private key of an ADD_IDENTITY message (§3.2.1–§3.2.5, the blob PrivateKeyBlob reads).
    private static func readPrivateKey(_ buffer: inout ByteBuffer) throws -> SSHPrivateKey {
        do {
            return try SSHPrivateKey(privateKeyBlob: &buffer)
        } catch let error where error.code == .unsupportedKeyType || error.code == .keyTooSmall {
            throw AgentError(.unsupported, "private key: \(error.detail)")
        } catch {
            throw AgentError(.malformedMessage, "private key: \(error.detail)")
        }
    }
}
