import SSHCrypto

/// A hashed host name, `|1|base64(salt)|base64(HMAC-SHA1(key: salt, name))`, as `ssh -o HashKnownHosts=yes`
/// and `ssh-keygen -H` write them (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"; hostfile.c `host_hash`).
///
/// The name hashed is exactly the one looked up: a lowercase host name or address, written `[host]:port`
/// when the port is not 22. A hashed field stands for one name; it cannot hold a pattern or a list.
public struct HashedHostName: Sendable, Hashable, CustomStringConvertible {
    /// The text that opens a hashed name (hostfile.c `HASH_MAGIC`).
    public static let magic = "|1|"
    /// The salt size OpenSSH uses and requires: the size of a SHA-1 digest.
    public static let saltLength = 20

    /// The random HMAC key.
    public let salt: [UInt8]
    /// HMAC-SHA1 of the name under ``salt``.
    public let hash: [UInt8]

    /// Hashes `name` with a given salt of ``saltLength`` bytes.
    public init(hashing name: String, salt: [UInt8]) throws(KnownHostsError) {
        guard salt.count == Self.saltLength else {
            throw .hashingFailed("the salt is \(salt.count) bytes, not \(Self.saltLength)")
        }
        self.salt = salt
        self.hash = try Self.hmac(name, salt: salt)
    }

    /// Hashes `name` with a fresh salt drawn from `random`, as ssh does for each name it records.
    public init(hashing name: String, using random: inout some SSHRandomSource) throws(KnownHostsError) {
        try self.init(hashing: name, salt: random.bytes(Self.saltLength))
    }

    /// Parses `|1|salt|hash`; both parts must be base64 of exactly 20 bytes.
    public init(parsing field: some StringProtocol) throws(KnownHostsError) {
        let text = String(field)
        guard text.hasPrefix(Self.magic) else { throw .invalidHashedName(text) }
        let parts = text.dropFirst(Self.magic.count).split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, let salt = Base64.decode(parts[0].utf8), let hash = Base64.decode(parts[1].utf8),
            salt.count == Self.saltLength, hash.count == Self.saltLength
        else { throw .invalidHashedName(text) }
        self.salt = salt
        self.hash = hash
    }

    /// Whether this is the hash of `name`, compared in constant time.
    public func matches(_ name: String) -> Bool {
        guard let candidate = try? Self.hmac(name, salt: salt) else { return false }
        return ConstantTime.equals(candidate, hash)
    }

    /// The field as written in the file: `|1|salt|hash`.
    public var description: String { Self.magic + Base64.encode(salt) + "|" + Base64.encode(hash) }

    private static func hmac(_ name: String, salt: [UInt8]) throws(KnownHostsError) -> [UInt8] {
        do {
            return try HMAC(digest: .sha1, key: salt).authenticate(Array(name.utf8))
        } catch {
            throw .hashingFailed(error.detail)
        }
    }
}
