import Foundation
import Logging
import NIOCore
import SSHAuth
import SSHCrypto
import SSHTransport
import SSHWire
import Testing

@testable import SSHClient

/// UpdateHostKeys' decisions (OpenSSH PROTOCOL §2.5, clientloop.c): which listed keys are
/// learned or retired, when nothing may change, and which proofs are good.
struct HostKeyRotationTests {
    static let session: [UInt8] = Array(repeating: 3, count: 32)
    static let current = try! SSHPrivateKey.generate(.ed25519)
    static let added = try! SSHPrivateKey.generate(.ecdsaP256)
    static let stale = try! SSHPrivateKey.generate(.ecdsaP384)

    static func rotation(algorithms: [String] = AlgorithmPreferences.defaults.hostKey, negotiated: String = "ssh-ed25519")
        -> HostKeyRotation
    {
        HostKeyRotation(
            file: "/nonexistent/known_hosts", hashNames: false, host: "server.test", port: 2222, sessionID: session,
            negotiatedHostKey: negotiated, connectionKey: current.publicKey, hostKeyAlgorithms: algorithms, approval: nil,
            logger: Logger(label: "test"), tell: { _ in })
    }

    static func file(_ lines: [String]) -> HostKeys {
        HostKeys(text: lines.joined(separator: "\n") + "\n")
    }

    static func line(_ name: String, _ key: SSHPrivateKey) -> String {
        "\(name) \(key.publicKey.keyType) \(Data(key.publicKey.blob).base64EncodedString())"
    }

    static func blobs(_ keys: [SSHPrivateKey]) -> [ByteBuffer] {
        keys.map { ByteBuffer(bytes: $0.publicKey.blob) }
    }

    @Test func newKeysAreLearnedAndOldOnesRetired() {
        let known = Self.file([
            Self.line("[server.test]:2222", Self.current), Self.line("[server.test]:2222", Self.stale),
            Self.line("other.test", Self.added),
        ])
        let plan = Self.rotation().plan(Self.blobs([Self.current, Self.added]), knownHosts: known)
        #expect(
            plan == .update(offered: [Self.current.publicKey, Self.added.publicKey], learned: [Self.added.publicKey],
                retired: [Self.stale.publicKey]))
    }

    @Test func nothingChangesWhereSshChangesNothing() throws {
        let rotation = Self.rotation()
        let plain = Self.line("[server.test]:2222", Self.current)
        let cases: [(String, HostKeys, [SSHPrivateKey])] = [
            ("up to date", Self.file([plain, Self.line("[server.test]:2222", Self.added)]), [Self.current, Self.added]),
            ("connection key not recorded for the host", Self.file([Self.line("[server.test]:2222", Self.added)]), [Self.current]),
            ("a line with several names", Self.file(["[server.test]:2222,10.0.0.1 " + plain.split(separator: " ", maxSplits: 1)[1]]),
             [Self.current, Self.added]),
            ("a wildcard", Self.file(["[server.*]:2222 " + plain.split(separator: " ", maxSplits: 1)[1]]), [Self.current, Self.added]),
            ("a retired key used by another host",
             Self.file([plain, Self.line("[server.test]:2222", Self.stale), Self.line("elsewhere.test", Self.stale)]),
             [Self.current, Self.added]),
            ("the connection's key not listed", Self.file([plain]), [Self.added]),
        ]
        for (name, known, listed) in cases {
            guard case .unchanged = rotation.plan(Self.blobs(listed), knownHosts: known) else {
                Issue.record("\(name): expected no change")
                continue
            }
        }
        // The same key listed twice stops everything.
        let twice = rotation.plan(Self.blobs([Self.current, Self.added, Self.added]), knownHosts: Self.file([plain]))
        guard case .unchanged = twice else {
            Issue.record("a key listed twice was used")
            return
        }
    }

    @Test func keysOutsideHostKeyAlgorithmsAreNotLearned() {
        let known = Self.file([Self.line("[server.test]:2222", Self.current), Self.line("[server.test]:2222", Self.stale)])
        let plan = Self.rotation(algorithms: ["ssh-ed25519"]).plan(Self.blobs([Self.current, Self.added]), knownHosts: known)
        // As ssh: the ECDSA key is not learned, but the recorded key the server no longer lists goes.
        #expect(plan == .update(offered: [Self.current.publicKey], learned: [], retired: [Self.stale.publicKey]))
    }

    static func proof(_ key: SSHPrivateKey, session: [UInt8] = session, algorithm: String? = nil) throws -> ByteBuffer {
        let data = GlobalRequestType.hostKeyProofData(sessionIdentifier: session, hostKey: ByteBuffer(bytes: key.publicKey.blob))
        var buffer = ByteBuffer()
        buffer.writeSSHString(try key.signature(for: data, algorithm: algorithm ?? key.publicKey.signatureAlgorithms[0]))
        return buffer
    }

    @Test func onlyProofsOverThisSessionByEachKeyAreGood() throws {
        let rotation = Self.rotation()
        let other = try SSHPrivateKey.generate(.ed25519)
        var both = try Self.proof(Self.added)
        var second = try Self.proof(other)
        both.writeBuffer(&second)
        #expect(rotation.verify(Array(both.readableBytesView), of: [Self.added.publicKey, other.publicKey]))
        // Out of order, over another session, by another key, short or with bytes left over: refused.
        #expect(!rotation.verify(Array(both.readableBytesView), of: [other.publicKey, Self.added.publicKey]))
        let elsewhere = try Self.proof(Self.added, session: Array(repeating: 4, count: 32))
        #expect(!rotation.verify(Array(elsewhere.readableBytesView), of: [Self.added.publicKey]))
        let impostor = try Self.proof(other)
        #expect(!rotation.verify(Array(impostor.readableBytesView), of: [Self.added.publicKey]))
        #expect(!rotation.verify(Array(both.readableBytesView), of: [Self.added.publicKey]))
        #expect(!rotation.verify([], of: [Self.added.publicKey]))
    }

    @Test func rsaProofsFollowTheKeyExchange() throws {
        let rsa = try SSHPrivateKey.generate(.rsa, bits: 2048)
        let sha256 = try Self.proof(rsa, algorithm: "rsa-sha2-256")
        // After an RSA key exchange with rsa-sha2-512 only that algorithm will do; otherwise any.
        #expect(!Self.rotation(negotiated: "rsa-sha2-512").verify(Array(sha256.readableBytesView), of: [rsa.publicKey]))
        #expect(Self.rotation(negotiated: "rsa-sha2-256").verify(Array(sha256.readableBytesView), of: [rsa.publicKey]))
        #expect(Self.rotation().verify(Array(sha256.readableBytesView), of: [rsa.publicKey]))
    }
}
