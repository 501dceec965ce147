import SSHCrypto

extension HostKeys {
    /// Appends an entry as a new last line; every other line stays as it was.
    public mutating func append(_ entry: KnownHostEntry) {
        lines.append(KnownHostsLine(entry: entry))
        endsWithLineFeed = true
    }

    /// Records `key` for a host, as ssh does when it accepts a new host key (hostfile.c `write_host_entry`):
    /// the name is lowercased and written `[host]:port` when the port is not 22; a plain entry names
    /// `host,address`, a hashed one hashes each name on its own line with a fresh salt from `random`.
    /// A certificate is recorded as the key it certifies, since ssh records only plain keys.
    public mutating func add(
        _ key: SSHPublicKey, host: String, port: Int = 22, ipAddress: String? = nil, hashed: Bool = false,
        comment: String = "", using random: inout some SSHRandomSource
    ) throws(KnownHostsError) {
        let plain = key.certificate?.key ?? key
        var names = [Self.name(host: host, port: port)]
        if let ipAddress {
            let address = Self.name(host: ipAddress, port: port)
            if address != names[0] { names.append(address) }
        }
        for name in names where !KnownHostEntry.isWritableName(name) { throw .unwritableField(name) }
        var entries: [KnownHostEntry] = []
        if hashed {
            for name in names {
                let hashedName = try HashedHostName(hashing: name, using: &random)
                entries.append(try KnownHostEntry(names: .hashed(hashedName), key: plain, comment: comment))
            }
        } else {
            entries.append(try KnownHostEntry(names: .patterns(names), key: plain, comment: comment))
        }
        for entry in entries { append(entry) }
    }

    /// ``add(_:host:port:ipAddress:hashed:comment:using:)`` with salts from ``SSHCrypto/SystemRandom``.
    public mutating func add(
        _ key: SSHPublicKey, host: String, port: Int = 22, ipAddress: String? = nil, hashed: Bool = false,
        comment: String = ""
    ) throws(KnownHostsError) {
        var random = SystemRandom()
        try add(key, host: host, port: port, ipAddress: ipAddress, hashed: hashed, comment: comment, using: &random)
    }

    /// Removes every host key line that names the host on the port, as `ssh-keygen -R` does (hostfile.c
    /// `host_delete`): the whole line goes, even when it names other hosts too or names this one through a
    /// wildcard; `@cert-authority` and `@revoked` lines stay, and so does every other line, byte for byte.
    ///
    /// - Returns: how many lines were removed.
    @discardableResult
    public mutating func remove(host: String, port: Int = 22) -> Int {
        let name = Self.name(host: host, port: port)
        let before = lines.count
        lines.removeAll { line in
            guard let entry = line.entry else { return false }
            return entry.marker == nil && entry.matches(name)
        }
        return before - lines.count
    }

    /// Makes `keys` the host's recorded keys, as ssh's `UpdateHostKeys` does (hostfile.c
    /// `hostfile_replace_entries`): host key lines naming the host (or `ipAddress`) whose key is among
    /// `keys` stay where they are, the others go, and the keys not yet recorded are appended with
    /// ``add(_:host:port:ipAddress:hashed:comment:using:)``. Marker lines and all other lines are untouched.
    public mutating func replace(
        host: String, port: Int = 22, ipAddress: String? = nil, with keys: [SSHPublicKey], hashed: Bool = false,
        using random: inout some SSHRandomSource
    ) throws(KnownHostsError) {
        let plainKeys = keys.map { $0.certificate?.key ?? $0 }
        let names = [Self.name(host: host, port: port)] + (ipAddress.map { [Self.name(host: $0, port: port)] } ?? [])
        var kept: Set<SSHPublicKey> = []
        var remaining: [KnownHostsLine] = []
        for line in lines {
            if let entry = line.entry, entry.marker == nil, names.contains(where: entry.matches) {
                guard plainKeys.contains(entry.key) else { continue }
                kept.insert(entry.key)
            }
            remaining.append(line)
        }
        var updated = self
        updated.lines = remaining
        for key in plainKeys where !kept.contains(key) {
            kept.insert(key)
            try updated.add(key, host: host, port: port, ipAddress: ipAddress, hashed: hashed, using: &random)
        }
        self = updated
    }

    /// ``replace(host:port:ipAddress:with:hashed:using:)`` with salts from ``SSHCrypto/SystemRandom``.
    public mutating func replace(
        host: String, port: Int = 22, ipAddress: String? = nil, with keys: [SSHPublicKey], hashed: Bool = false
    ) throws(KnownHostsError) {
        var random = SystemRandom()
        try replace(host: host, port: port, ipAddress: ipAddress, with: keys, hashed: hashed, using: &random)
    }
}
