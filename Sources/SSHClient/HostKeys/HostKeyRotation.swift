import Foundation
import Logging
import NIOCore
import SSHAuth
import SSHConnection
import SSHCrypto
import SSHWire

/// The client's half of OpenSSH's host key rotation (PROTOCOL §2.5; ssh's UpdateHostKeys): when
/// the server lists its host keys after login, the keys the user's known_hosts file does not hold
/// for this host are proved (`hostkeys-prove-00@openssh.com`) and recorded, and the recorded keys
/// the server no longer has are removed. As ssh, it changes nothing unless the key this connection
/// was verified with is in that file under a plain name of the host, and it never touches other
/// hosts' lines, marker lines or entries that name several hosts or a wildcard.
struct HostKeyRotation: Sendable {
    /// The user's known_hosts file, the one written to.
    let file: String
    let hashNames: Bool
    let host: String
    let port: Int
    let sessionID: [UInt8]
    /// The host key algorithm of the key exchange: RSA proofs must use it when it is an RSA one.
    let negotiatedHostKey: String
    /// The key the connection was verified with.
    let connectionKey: SSHPublicKey
    /// HostKeyAlgorithms: keys of other types are not learned, as ssh (recorded ones the server no
    /// longer lists are retired all the same).
    let hostKeyAlgorithms: [String]
    /// Asked before the file changes (UpdateHostKeys ask); nil changes it unasked.
    let approval: SSHClientConfiguration.HostKeyUpdateApproval?
    let logger: Logger
    let tell: @Sendable (String) -> Void

    /// What the server's list means for the file.
    enum Plan: Equatable {
        /// Nothing to do, and why.
        case unchanged(String)
        /// `offered` are the server's usable keys; `learned` must be proved first; `retired` are
        /// recorded keys the server no longer has.
        case update(offered: [SSHPublicKey], learned: [SSHPublicKey], retired: [SSHPublicKey])
    }

    /// Sorts the server's key blobs against the file (client_input_hostkeys in OpenSSH's clientloop.c).
    func plan(_ blobs: [ByteBuffer], knownHosts: HostKeys) -> Plan {
        var offered: [SSHPublicKey] = []
        for blob in blobs {
            guard let key = try? SSHPublicKey(blob: Array(blob.readableBytesView)) else {
                logger.debug("hostkeys: a key of a type we do not know was skipped")
                continue
            }
            guard key.certificate == nil else { continue }
            guard permitted(key) else {
                logger.debug("hostkeys: \(key.keyType) key not permitted by HostKeyAlgorithms")
                continue
            }
            guard !offered.contains(key) else { return .unchanged("the server listed \(key.keyType) twice") }
            offered.append(key)
        }
        guard !offered.isEmpty else { return .unchanged("the server listed no usable key") }
        guard connectionKey.certificate == nil, offered.contains(connectionKey) else {
            return .unchanged("the connection's host key is a certificate or not among those listed")
        }
        let entries = knownHosts.matches(host: host, port: port).map(\.entry).filter { $0.marker == nil }
        let name = HostKeys.name(host: host, port: port)
        for entry in entries {
            if case .patterns(let patterns) = entry.names, patterns != [name] {
                return .unchanged("\(file) names \(host) in a line with other names or patterns")
            }
        }
        let recorded = entries.map(\.key)
        guard recorded.contains(connectionKey) else {
            return .unchanged("the connection's host key is not recorded for \(host) in \(file)")
        }
        let learned = offered.filter { !recorded.contains($0) }
        let retired = recorded.filter { !offered.contains($0) }.reduce(into: [SSHPublicKey]()) { keys, key in
            if !keys.contains(key) { keys.append(key) }
        }
        guard !learned.isEmpty || !retired.isEmpty else { return .unchanged("\(file) is up to date") }
        // A retired key another host still uses stays, and so does everything else, as ssh.
        let elsewhere = knownHosts.entries.filter { $0.marker == nil && !$0.matches(name) }.map(\.key)
        guard !retired.contains(where: elsewhere.contains) else {
            return .unchanged("key(s) for \(name) exist under other names; skipping UserKnownHostsFile update")
        }
        return .update(offered: offered, learned: learned, retired: retired)
    }

    private func permitted(_ key: SSHPublicKey) -> Bool {
        key.signatureAlgorithms.contains(where: hostKeyAlgorithms.contains)
    }

    /// Whether `answer` holds a valid signature by each of `keys` over this session's proof data.
    func verify(_ answer: [UInt8], of keys: [SSHPublicKey]) -> Bool {
        var buffer = ByteBuffer(bytes: answer)
        for key in keys {
            guard let signature = try? buffer.readSSHString() else { return false }
            let data = GlobalRequestType.hostKeyProofData(sessionIdentifier: sessionID, hostKey: ByteBuffer(bytes: key.blob))
            let bytes = Array(signature.readableBytesView)
            let algorithms = key.signatureAlgorithms
            let valid: Bool
            if algorithms.count > 1 {
                // RSA: the key exchange's algorithm when it was an RSA one, else any RSA signature, as ssh.
                valid = algorithms.contains(negotiatedHostKey)
                    ? key.isValidSignature(bytes, for: data, algorithm: negotiatedHostKey)
                    : key.isValidSignature(bytes, for: data)
            } else {
                valid = key.isValidSignature(bytes, for: data, algorithm: algorithms[0])
            }
            guard valid else { return false }
        }
        return buffer.readableBytes == 0
    }

    /// Runs the whole exchange for the server's list `blobs` over `runtime`.
    func run(_ blobs: [ByteBuffer], runtime: ConnectionRuntime) async {
        guard let knownHosts = try? HostKeys(contentsOfFile: file) else { return }
        let plan = plan(blobs, knownHosts: knownHosts)
        guard case .update(let offered, let learned, let retired) = plan else {
            if case .unchanged(let reason) = plan { logger.debug("hostkeys: \(reason)") }
            return
        }
        if !learned.isEmpty {
            logger.debug("hostkeys: asking the server to prove \(learned.count) new key(s)")
            guard let (success, answer) = try? await runtime.globalRequest(
                .hostKeysProve(learned.map { ByteBuffer(bytes: $0.blob) }), wantReply: true)
            else { return }
            guard success, verify(Array(answer.readableBytesView), of: learned) else {
                tell("Server failed to confirm ownership of private host keys")
                return
            }
        }
        // ssh says these at VERBOSE, or at INFO when it is about to ask.
        let changes =
            learned.map { "Learned new hostkey: \($0.typeLabel) \($0.fingerprint())" }
            + retired.map { "Deprecating obsolete hostkey: \($0.typeLabel) \($0.fingerprint())" }
        for change in changes {
            if approval == nil { logger.info("\(change)") } else { tell(change) }
        }
        if let approval, !(await approval(learned, retired)) { return }
        // Read again: another ssh may have written the file meanwhile.
        var current = (try? HostKeys(contentsOfFile: file)) ?? knownHosts
        do {
            try current.replace(host: host, port: port, with: offered, hashed: hashNames)
            try current.write(toFile: file)
            logger.debug("hostkeys: \(file) updated for \(HostKeys.name(host: host, port: port))")
        } catch {
            tell("Could not update \(file): \(error)")
        }
    }
}

/// The rotation a connection started, awaited before the connection says goodbye so that a
/// short session still records what it learned.
actor HostKeyRotationTask {
    private let rotation: HostKeyRotation
    private var task: Task<Void, Never>?

    init(_ rotation: HostKeyRotation) {
        self.rotation = rotation
    }

    /// Starts the rotation for the server's list; a second list on one connection is ignored, as ssh ignores it.
    func received(_ blobs: [ByteBuffer], runtime: ConnectionRuntime) {
        guard task == nil else { return }
        let rotation = self.rotation
        task = Task { await rotation.run(blobs, runtime: runtime) }
    }

    /// Waits for a rotation in progress, at most `limit`.
    func finish(within limit: Duration = .seconds(5)) async {
        guard let task else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await task.value }
            group.addTask { try? await Task.sleep(for: limit) }
            await group.next()
            group.cancelAll()
        }
    }
}
