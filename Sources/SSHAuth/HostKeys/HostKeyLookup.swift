import SSHCrypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension HostKeys {
    /// The name a host is recorded under: the lowercase host, or `[host]:port` when the port is not 22
    /// (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"; OpenSSH `put_host_port`, which also leaves port 0 bare).
    public static func name(host: String, port: Int = 22) -> String {
        let host = host.lowercased()
        return port == 22 || port == 0 ? host : "[\(host)]:\(port)"
    }

    /// Every usable line that names the host on the port, whatever its marker, in file order with its line
    /// number: the lines `ssh-keygen -F` finds. Paramiko's `HostKeys.lookup`.
    public func matches(host: String, port: Int = 22) -> [KnownHostsMatch] {
        let name = Self.name(host: host, port: port)
        return lines.enumerated().compactMap { index, line in
            guard let entry = line.entry, entry.matches(name) else { return nil }
            return KnownHostsMatch(line: index + 1, entry: entry)
        }
    }

    /// Checks the key a server presented, as ssh's `check_host_key` (sshconnect.c) does with hostfile.c:
    ///
    /// - `@revoked` wins over everything: a key listed there for the host, or a certificate whose key or
    ///   CA is listed there, is ``HostKeyStatus/revoked``.
    /// - A certificate is ``HostKeyStatus/known`` when an `@cert-authority` line for the host holds its CA
    ///   and the certificate is a host certificate valid at `now`, listing `host` among its principals (or
    ///   listing none, which ssh accepts for host certificates) and carrying no critical option. Otherwise
    ///   ssh retries with the key it certifies, and so does this check.
    /// - A plain key is known when a line without a marker records it for the host, and
    ///   ``HostKeyStatus/changed(expected:presented:)`` when such lines exist but none records it. Like
    ///   OpenSSH 9, this does not look at key types: an ECDSA key presented to a host recorded only with
    ///   an Ed25519 key is "changed", not "unknown" (Paramiko would call it unknown).
    /// - With `ipAddress`, the address is checked too (ssh's `CheckHostIP`; not for a certificate its CA
    ///   vouched for): a key that differs from the one recorded for the address makes the answer
    ///   ``HostKeyStatus/changed(expected:presented:)`` even when the name is known, as ssh under strict
    ///   checking refuses it; an address with no record changes nothing.
    ///
    /// - Parameters:
    ///   - host: the host name as given to ssh (or its `HostKeyAlias`); compared in lowercase.
    ///   - port: the server's port; entries for ports other than 22 are written `[host]:port`.
    ///   - ipAddress: the server's address, to check as well.
    ///   - proxied: whether the connection goes through a ProxyCommand or ProxyJump. ssh then also accepts,
    ///     for a port other than 22 with no record of its own, a key recorded for the bare host name
    ///     (sshconnect.c: "checking without port identifier").
    ///   - now: the time for certificate validity, in seconds since the epoch.
    public func check(
        _ key: SSHPublicKey, host: String, port: Int = 22, ipAddress: String? = nil, proxied: Bool = false,
        now: UInt64 = UInt64(max(0, time(nil)))
    ) -> HostKeyStatus {
        let status = check(key, host: host, port: port, ipAddress: ipAddress, now: now)
        guard proxied, status == .unknown, port != 22, port != 0 else { return status }
        return check(key, host: host, port: 22, ipAddress: ipAddress, now: now) == .known ? .known : status
    }

    private func check(_ key: SSHPublicKey, host: String, port: Int, ipAddress: String?, now: UInt64) -> HostKeyStatus {
        let hostName = Self.name(host: host, port: port)
        let hostEntries = entries(named: hostName)
        var plain = key
        if let certificate = key.certificate {
            if Self.isRevoked(key, among: hostEntries) { return .revoked }
            let authorities = hostEntries.filter { $0.marker == .certAuthority }.map(\.key)
            do {
                try certificate.validate(
                    kind: .host, principal: host.lowercased(), now: now, trustedAuthorities: Set(authorities),
                    requirePrincipal: false, understoodCriticalOptions: [])
                return .known
            } catch {
                plain = certificate.key  // sshconnect.c: "No matching CA found. Retry with plain key"
            }
        }
        let hostStatus = Self.status(of: plain, presented: key, among: hostEntries)
        guard let ipAddress else { return hostStatus }
        let addressName = Self.name(host: ipAddress, port: port)
        guard addressName != hostName else { return hostStatus }
        let addressStatus = Self.status(of: plain, presented: key, among: entries(named: addressName))
        switch (hostStatus, addressStatus) {
        case (.revoked, _), (_, .revoked): return .revoked
        case (.changed, _): return hostStatus
        case (_, .changed): return addressStatus
        default: return hostStatus
        }
    }

    /// The usable entries whose host field names `name` (already lowercase and port-qualified).
    func entries(named name: String) -> [KnownHostEntry] {
        lines.compactMap { line in line.entry.flatMap { $0.matches(name) ? $0 : nil } }
    }

    /// hostfile.c `check_hostkeys_by_key_or_type` for a plain key, after `check_key_not_revoked`.
    private static func status(
        of plain: SSHPublicKey, presented: SSHPublicKey, among entries: [KnownHostEntry]
    ) -> HostKeyStatus {
        if isRevoked(plain, among: entries) { return .revoked }
        var recorded: [SSHPublicKey] = []
        for entry in entries where entry.marker == nil {
            if entry.key == plain { return .known }
            if !recorded.contains(entry.key) { recorded.append(entry.key) }
        }
        return recorded.isEmpty ? .unknown : .changed(expected: recorded, presented: presented)
    }

    /// hostfile.c `check_key_not_revoked`: the key (for a certificate, the key it certifies or its CA) is on
    /// an `@revoked` line, compared by public parts only.
    private static func isRevoked(_ key: SSHPublicKey, among entries: [KnownHostEntry]) -> Bool {
        let plain = key.certificate?.key ?? key
        let authority = key.certificate?.signatureKey
        return entries.contains { entry in
            entry.marker == .revoked && (entry.plainKey == plain || entry.plainKey == authority)
        }
    }
}
