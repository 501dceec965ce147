import NIOCore
import SSHAuth
import SSHCrypto
import SSHWire
import Testing

@Suite struct ServerAuthMachineTests {
    static let session: [UInt8] = Array(repeating: 9, count: 32)
    static let now: UInt64 = 1_800_000_000

    /// A signed publickey request from `user` for `offered`, signed by `signer` over `session`.
    static func signedRequest(user: String, offered: SSHPublicKey, signer: SSHPrivateKey, session: [UInt8]) throws -> ByteBuffer {
        var client = ClientAuthMachine(userName: user, sessionID: session)
        let algorithm = offered.signatureAlgorithms[0]
        let signature = try signer.signature(for: client.publicKeySignedData(offered, algorithm: algorithm), algorithm: algorithm)
        return client.signedPublicKeyRequest(offered, algorithm: algorithm, signature: signature)
    }

    static func isFailure(_ outcome: ServerAuthMachine.Step) -> Bool {
        guard case .reply(let payloads) = outcome, let first = payloads.first else { return false }
        return first.getInteger(at: first.readerIndex, as: UInt8.self) == UserAuthFailureMessage.messageNumber
    }

    @Test func aVerifiedSignatureReachesTheDelegateAndNamesTheKey() throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        var machine = ServerAuthMachine(sessionID: Self.session)
        let step = try machine.receive(
            try Self.signedRequest(user: "u", offered: key.publicKey, signer: key, session: Self.session), now: Self.now)
        guard case .decide(.publicKey(_, let offered, _, true, false)) = step else {
            Issue.record("expected a signed publickey decision, got \(step)")
            return
        }
        #expect(offered == key.publicKey)
        guard case .authenticated(_, let identity) = try machine.answer(.success) else {
            Issue.record("expected success")
            return
        }
        #expect(identity.verifiedKeys.map(\.key) == [key.publicKey])
    }

    @Test func signaturesOverAnotherSessionOrByAnotherKeyNeverReachTheDelegate() throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        let other = try SSHPrivateKey.generate(.ed25519)
        var machine = ServerAuthMachine(sessionID: Self.session)
        let elsewhere = try Self.signedRequest(
            user: "u", offered: key.publicKey, signer: key, session: Array(repeating: 1, count: 32))
        #expect(Self.isFailure(try machine.receive(elsewhere, now: Self.now)))
        let impostor = try Self.signedRequest(user: "u", offered: key.publicKey, signer: other, session: Self.session)
        #expect(Self.isFailure(try machine.receive(impostor, now: Self.now)))
    }

    @Test func aQueryCannotLogIn() throws {
        let key = try SSHPrivateKey.generate(.ed25519)
        var machine = ServerAuthMachine(sessionID: Self.session)
        var client = ClientAuthMachine(userName: "u", sessionID: Self.session)
        _ = try machine.receive(client.publicKeyQuery(key.publicKey, algorithm: "ssh-ed25519"), now: Self.now)
        guard case .reply(let payloads) = try machine.answer(.success) else {
            Issue.record("a query answered with success must not authenticate")
            return
        }
        #expect(payloads.first?.getInteger(at: 0, as: UInt8.self) == UserAuthFailureMessage.messageNumber)
    }

    /// The reply to an unknown user is byte for byte the reply to a wrong password (CVE-2018-15473).
    @Test func unknownUsersLookLikeWrongPasswords() throws {
        func reply(_ user: String) throws -> [ByteBuffer] {
            var machine = ServerAuthMachine(sessionID: Self.session)
            var client = ClientAuthMachine(userName: user, sessionID: Self.session)
            _ = try machine.receive(client.passwordRequest("guess"), now: Self.now)
            guard case .reply(let payloads) = try machine.answer(.failure) else { return [] }
            return payloads
        }
        #expect(try reply("root") == reply("no-such-user"))
    }

    @Test func attemptsRunOut() throws {
        var configuration = ServerAuthConfiguration()
        configuration.maximumAttempts = 6
        var machine = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
        var client = ClientAuthMachine(userName: "u", sessionID: Self.session)
        _ = try machine.receive(client.noneRequest(), now: Self.now)
        _ = try machine.answer(.failure)
        for _ in 0..<5 {
            _ = try machine.receive(client.passwordRequest("guess"), now: Self.now)
            _ = try machine.answer(.failure)
        }
        _ = try machine.receive(client.passwordRequest("guess"), now: Self.now)
        #expect(throws: AuthError.self) { try machine.answer(.failure) }
    }

    /// Partial success is forgotten when the user changes between requests (RFC 4252 §5).
    @Test func changingUserFlushesPartialSuccess() throws {
        var configuration = ServerAuthConfiguration()
        configuration.authenticationMethods = [["password", "keyboard-interactive"]]
        var machine = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
        var alice = ClientAuthMachine(userName: "alice", sessionID: Self.session)
        _ = try machine.receive(alice.passwordRequest("pw"), now: Self.now)
        _ = try machine.answer(.success)
        #expect(machine.methodsThatCanContinue == ["keyboard-interactive"])
        var bob = ClientAuthMachine(userName: "bob", sessionID: Self.session)
        let step = try machine.receive(bob.keyboardInteractiveRequest(), now: Self.now)
        #expect(Self.isFailure(step))
        #expect(machine.methodsThatCanContinue == ["password"])
    }

    /// A user certificate is trusted only from a configured CA, for a listed principal, inside
    /// its validity window.
    @Test func userCertificatesAreCheckedAgainstTrustedCAs() throws {
        let authority = try SSHPrivateKey.generate(.ed25519)
        let key = try SSHPrivateKey.generate(.ed25519)
        var configuration = ServerAuthConfiguration()
        configuration.trustedUserCAKeys = [authority.publicKey]
        func trusted(_ request: SSHCertificateRequest, user: String = "alice") throws -> Bool {
            let certificate = try authority.certify(key.publicKey, request)
            var machine = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
            var client = ClientAuthMachine(userName: user, sessionID: Self.session)
            let step = try machine.receive(
                client.publicKeyQuery(certificate, algorithm: certificate.signatureAlgorithms[0]), now: Self.now)
            guard case .decide(.publicKey(_, _, _, false, let trusted)) = step else { return false }
            return trusted
        }
        var current = SSHCertificateRequest(kind: .user, keyID: "a", principals: ["alice"])
        #expect(try trusted(current))
        #expect(try !trusted(current, user: "mallory"))
        current.validBefore = Self.now - 60
        #expect(try !trusted(current))
        current.validBefore = .max
        current.validAfter = Self.now + 60
        #expect(try !trusted(current))
        #expect(try !trusted(SSHCertificateRequest(kind: .host, keyID: "h", principals: ["alice"])))
    }

    /// SHA-1 RSA (`ssh-rsa`) and DSA signatures are refused before they reach the delegate unless
    /// the configuration lists them, as sshd's PubkeyAcceptedAlgorithms has it since OpenSSH 8.8;
    /// the same RSA key signing with rsa-sha2-512 is let through.
    @Test func sha1RSAAndDSASignaturesAreOptIn() throws {
        let rsa = try SSHPrivateKey.generate(.rsa, bits: 2048)
        let dsa = try SSHPrivateKey.generate(.dsa)
        func reachesDelegate(_ key: SSHPrivateKey, _ algorithm: String, _ configuration: ServerAuthConfiguration) throws
            -> Bool
        {
            var machine = ServerAuthMachine(sessionID: Self.session, configuration: configuration)
            var client = ClientAuthMachine(userName: "u", sessionID: Self.session)
            let data = client.publicKeySignedData(key.publicKey, algorithm: algorithm)
            let signature = try key.signature(for: data, algorithm: algorithm)
            let request = client.signedPublicKeyRequest(key.publicKey, algorithm: algorithm, signature: signature)
            guard case .decide(.publicKey(_, _, algorithm, true, _)) = try machine.receive(request, now: Self.now) else {
                return false
            }
            return true
        }
        let strict = ServerAuthConfiguration()
        var lenient = ServerAuthConfiguration()
        lenient.publicKeyAlgorithms = ServerAuthConfiguration.supportedPublicKeyAlgorithms
        #expect(try reachesDelegate(rsa, "rsa-sha2-512", strict))
        #expect(try reachesDelegate(rsa, "rsa-sha2-256", strict))
        #expect(try !reachesDelegate(rsa, "ssh-rsa", strict))
        #expect(try !reachesDelegate(dsa, "ssh-dss", strict))
        #expect(try reachesDelegate(rsa, "ssh-rsa", lenient))
        #expect(try reachesDelegate(dsa, "ssh-dss", lenient))
    }

    @Test func clientMessagesOnlyAndNothingAfterSuccess() throws {
        var machine = ServerAuthMachine(sessionID: Self.session)
        #expect(throws: AuthError.self) { try machine.receive(UserAuthSuccessMessage().encodedPayload(), now: Self.now) }
        var client = ClientAuthMachine(userName: "u", sessionID: Self.session)
        var accepting = ServerAuthMachine(sessionID: Self.session)
        _ = try accepting.receive(client.noneRequest(), now: Self.now)
        _ = try accepting.answer(.success)
        #expect(throws: AuthError.self) { try accepting.receive(client.noneRequest(), now: Self.now) }
    }
}
