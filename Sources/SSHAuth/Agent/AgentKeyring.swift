import SSHCrypto

/// The keys an agent holds, and the agent's answer to every request (draft-miller-ssh-agent-14 §3):
/// the in-memory keyring behind ``SSHAgentServer`` and any other transport that serves the agent protocol.
///
/// It behaves as OpenSSH's ssh-agent: adding a key it holds replaces its comment and constraints; keys
/// added with a lifetime are forgotten when it ends (checked before each request, §3.2.7.1); keys added
/// with the confirm constraint sign only when the confirmation callback allows it (§3.2.7.2; the default
/// callback denies); a locked keyring lists no keys and refuses every request but UNLOCK (§3.7), and each
/// failed UNLOCK is answered after a delay that grows by ``unlockFailureDelay`` per failure, up to 100 times.
public actor AgentKeyring {
    /// Decides whether a key with the confirm constraint may sign; true allows.
    public typealias Confirmation = @Sendable (AgentConfirmationRequest) async -> Bool

    private struct Entry {
        var key: SSHPrivateKey
        var comment: String
        var expiry: ContinuousClock.Instant?
        var confirm: Bool
    }

    private struct LockHash {
        let salt: SecureBytes
        let digest: SecureBytes
    }

    private var entries: [Entry] = []
    private var lockHash: LockHash?
    private var unlockFailures = 0
    private let now: @Sendable () -> ContinuousClock.Instant
    private let confirmation: Confirmation
    /// The delay added to the answer of a failed UNLOCK for each failure in a row (ssh-agent: 0.1 s).
    public let unlockFailureDelay: Duration

    /// An empty, unlocked keyring. `now` is the clock that lifetimes are measured on (a test passes a manual
    /// one); `confirm` decides uses of keys added with the confirm constraint, and denies them by default.
    public init(
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now },
        unlockFailureDelay: Duration = .milliseconds(100),
        confirm: @escaping Confirmation = { _ in false }
    ) {
        self.now = now
        self.unlockFailureDelay = unlockFailureDelay
        self.confirmation = confirm
    }

    // MARK: The owner's view, which a lock does not hide

    /// The keys held now, oldest first, whether or not the keyring is locked.
    public var identities: [AgentIdentity] {
        purgeExpired()
        return entries.map { AgentIdentity(publicKey: $0.key.publicKey, comment: $0.comment) }
    }

    /// Whether the keyring is locked (§3.7).
    public var isLocked: Bool { lockHash != nil }

    /// Holds `key` under `comment` (default: the key's own), forgetting it after `lifetime` and asking the
    /// confirmation callback before each use when `confirm` is set; replaces a key already held.
    public func add(_ key: SSHPrivateKey, comment: String? = nil, lifetime: Duration? = nil, confirm: Bool = false) {
        purgeExpired()
        store(key, comment: comment ?? key.comment, expiry: lifetime.map { now() + $0 }, confirm: confirm)
    }

    /// Forgets `key`; false when it was not held.
    @discardableResult
    public func remove(_ key: SSHPublicKey) -> Bool {
        purgeExpired()
        let count = entries.count
        entries.removeAll { $0.key.publicKey == key }
        return entries.count < count
    }

    /// Forgets every key.
    public func removeAll() {
        entries.removeAll()
    }

    // MARK: The protocol

    /// The agent's answer to `request`, as OpenSSH's ssh-agent gives it.
    public func respond(to request: AgentRequest) async -> AgentResponse {
        purgeExpired()
        if lockHash != nil {
            switch request {
            case .requestIdentities: return .identities([])
            case .unlock(let passphrase): return await unlock(passphrase)
            default: return .failure
            }
        }
        switch request {
        case .requestIdentities:
            return .identities(identities)
        case .sign(let key, let data, let flags):
            return await sign(data, with: key, flags: flags)
        case .addIdentity(let key, let comment, let constraints):
            var expiry: ContinuousClock.Instant?
            var confirm = false
            for constraint in constraints {
                switch constraint {
                case .lifetime(let seconds): expiry = now() + .seconds(Int64(seconds))
                case .confirm: confirm = true
                case .extension: return .failure
                }
            }
            store(key, comment: comment, expiry: expiry, confirm: confirm)
            return .success
        case .removeIdentity(let key):
            return remove(key) ? .success : .failure
        case .removeAllIdentities:
            removeAll()
            return .success
        case .lock(let passphrase):
            guard let hash = Self.hash(passphrase, salt: .random(count: 16)) else { return .failure }
            lockHash = hash
            return .success
        case .unlock, .extension:
            return .failure
        }
    }

    private func sign(_ data: [UInt8], with publicKey: SSHPublicKey, flags: AgentSignFlags) async -> AgentResponse {
        guard let entry = entries.first(where: { $0.key.publicKey == publicKey }) else { return .failure }
        if entry.confirm {
            let request = AgentConfirmationRequest(publicKey: publicKey, comment: entry.comment, dataLength: data.count)
            guard await confirmation(request) else { return .failure }
            // The keyring may have changed while the user was asked.
            purgeExpired()
            guard lockHash == nil, entries.contains(where: { $0.key.publicKey == publicKey }) else { return .failure }
        }
        do {
            return .signature(
                try entry.key.signature(for: data, algorithm: flags.signatureAlgorithm(for: entry.key.type)))
        } catch {
            return .failure
        }
    }

    private func unlock(_ passphrase: SecureBytes) async -> AgentResponse {
        guard let lockHash, let attempt = Self.hash(passphrase, salt: lockHash.salt) else { return .failure }
        if attempt.digest.constantTimeEquals(lockHash.digest) {
            self.lockHash = nil
            unlockFailures = 0
            return .success
        }
        unlockFailures = min(unlockFailures + 1, 100)
        try? await Task.sleep(for: unlockFailureDelay * unlockFailures)
        return .failure
    }

    private func store(_ key: SSHPrivateKey, comment: String, expiry: ContinuousClock.Instant?, confirm: Bool) {
        let entry = Entry(key: key, comment: comment, expiry: expiry, confirm: confirm)
        if let index = entries.firstIndex(where: { $0.key.publicKey == key.publicKey }) {
            entries[index] = entry
        } else {
            entries.append(entry)
        }
    }

    private func purgeExpired() {
        let now = now()
        entries.removeAll { entry in entry.expiry.map { $0 <= now } ?? false }
    }

    /// SHA-512 over a random salt and the passphrase: the lock passphrase is never kept itself.
    private static func hash(_ passphrase: SecureBytes, salt: SecureBytes) -> LockHash? {
        var input: [UInt8] = []
        input.reserveCapacity(salt.count + passphrase.count)
        salt.withUnsafeBytes { input.append(contentsOf: $0) }
        passphrase.withUnsafeBytes { input.append(contentsOf: $0) }
        defer { input.zeroize() }
        guard var digest = try? DigestAlgorithm.sha512.hash(input) else { return nil }
        defer { digest.zeroize() }
        return LockHash(salt: salt, digest: SecureBytes(digest))
    }
}
