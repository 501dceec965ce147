import Foundation
import SSHAuth
import SSHCrypto

/// How ``SSHClient`` judges the server's host key (RFC 4253 §8; Paramiko's
/// MissingHostKeyPolicy, OpenSSH's StrictHostKeyChecking). A key that differs from the recorded
/// one is always refused, whatever the policy, and the error shows both fingerprints.
public struct SSHHostKeyPolicy: Sendable {
    /// What to do with a key nothing is recorded for.
    public enum Unknown: Sendable {
        /// Refuse (StrictHostKeyChecking yes; Paramiko's RejectPolicy). The default.
        case reject
        /// Accept and append it to the file (accept-new; Paramiko's AutoAddPolicy).
        case addToFile
        /// Accept with a warning through the handler (Paramiko's WarningPolicy).
        case warn
        /// Ask, as ssh's StrictHostKeyChecking ask does: accepted keys are appended to the file.
        case ask(HostKeyQuestion)
    }

    /// Asks whether to trust `key`, which `host`:`port` presented from `address` (the IP address
    /// connected to) and no known_hosts file lists.
    public typealias HostKeyQuestion =
        @Sendable (_ key: SSHPublicKey, _ host: String, _ port: Int, _ address: String) async -> Bool

    enum Kind: Sendable {
        case knownHosts(files: [String], unknown: Unknown, hashNames: Bool)
        case acceptAnything
        case custom(@Sendable (_ key: SSHPublicKey, _ host: String, _ port: Int) async -> Bool)
    }

    let kind: Kind

    /// Checks against known_hosts files (the first is the one written to), deciding unknown keys
    /// by `unknown`.
    public static func knownHosts(
        _ files: [String] = [NSHomeDirectory() + "/.ssh/known_hosts"], unknown: Unknown = .reject, hashNames: Bool = false
    ) -> SSHHostKeyPolicy {
        SSHHostKeyPolicy(kind: .knownHosts(files: files, unknown: unknown, hashNames: hashNames))
    }

    /// Accepts any key without checking: for tests against throwaway servers only.
    public static let acceptAnythingInsecurely = SSHHostKeyPolicy(kind: .acceptAnything)

    /// Decides with `decide`.
    public static func custom(_ decide: @escaping @Sendable (SSHPublicKey, String, Int) async -> Bool) -> SSHHostKeyPolicy {
        SSHHostKeyPolicy(kind: .custom(decide))
    }

    /// The known_hosts file this policy records keys in, and whether it hashes names: where
    /// UpdateHostKeys writes. Nil for policies without one.
    var recordingFile: (path: String, hashNames: Bool)? {
        guard case .knownHosts(let files, _, let hashNames) = kind, let file = files.first,
            Self.isWritableKnownHostsFile(file)
        else { return nil }
        return (file, hashNames)
    }

    static func isWritableKnownHostsFile(_ path: String) -> Bool {
        var status = stat()
        guard lstat(path, &status) == 0 else { return errno == ENOENT }
        return (status.st_mode & S_IFMT) == S_IFREG
    }

    /// The verdict on `key` for `host`:`port`: nil to accept, else the reason to refuse.
    /// `warn` receives a warning for an unknown key under ``Unknown/warn``.
    func judge(_ key: SSHPublicKey, host: String, port: Int, address: String? = nil, warn: @Sendable (String) -> Void)
        async -> SSHClientError?
    {
        switch kind {
        case .acceptAnything:
            return nil
        case .custom(let decide):
            return await decide(key, host, port)
                ? nil : SSHClientError(.hostKeyUnknown, "the host key \(key.fingerprint()) of \(host) was refused")
        case .knownHosts(let files, let unknown, let hashNames):
            for file in files {
                guard FileManager.default.fileExists(atPath: file), let hostKeys = try? HostKeys(contentsOfFile: file) else {
                    continue
                }
                switch hostKeys.check(key, host: host, port: port) {
                case .known:
                    return nil
                case .revoked:
                    return SSHClientError(.hostKeyChanged, "the host key \(key.fingerprint()) of \(host) is revoked in \(file)")
                case .changed(let expected, let presented):
                    let recorded = expected.map { $0.fingerprint() }.joined(separator: ", ")
                    return SSHClientError(
                        .hostKeyChanged,
                        "REMOTE HOST IDENTIFICATION HAS CHANGED for \(host): \(file) records \(recorded), the server presented \(presented.fingerprint())"
                    )
                case .unknown:
                    continue
                }
            }
            switch unknown {
            case .reject:
                return SSHClientError(
                    .hostKeyUnknown, "no host key is known for \(host) (it presented \(key.fingerprint()))")
            case .warn:
                warn("Warning: unknown host key \(key.fingerprint()) for \(host) accepted")
                return nil
            case .ask(let question):
                guard await question(key, host, port, address ?? host) else {
                    return SSHClientError(.hostKeyUnknown, "Host key verification failed.")
                }
                Self.record(key, host: host, port: port, files: files, hashNames: hashNames, warn: warn)
                return nil
            case .addToFile:
                Self.record(key, host: host, port: port, files: files, hashNames: hashNames, warn: warn)
                return nil
            }
        }
    }

    /// Appends `key` to the first of `files`, as ssh does with a key it accepts, and says so as ssh
    /// does: `Warning: Permanently added '[host]:port' (ED25519) to the list of known hosts.`
    private static func record(
        _ key: SSHPublicKey, host: String, port: Int, files: [String], hashNames: Bool, warn: @Sendable (String) -> Void
    ) {
        guard let file = files.first else { return }
        let added = "Warning: Permanently added '\(HostKeys.name(host: host, port: port))' (\(key.typeLabel)) to the list of known hosts."
        // Only a regular file (or none yet) is written: never replace /dev/null or a pipe. ssh appends
        // to /dev/null, which keeps nothing, and says it added the key; so does this.
        guard isWritableKnownHostsFile(file) else {
            if file == "/dev/null" { warn(added) }
            return
        }
        var hostKeys = (try? HostKeys(contentsOfFile: file)) ?? HostKeys()
        do {
            try hostKeys.add(key, host: host, port: port, hashed: hashNames)
            let directory = (file as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try hostKeys.write(toFile: file)
            warn(added)
        } catch {
            warn("could not record the host key in \(file): \(error)")
        }
    }
}
