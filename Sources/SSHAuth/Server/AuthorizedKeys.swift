import Foundation
import SSHConfig
import SSHCrypto

/// An authorized_keys file as sshd reads it (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): which
/// entry, if any, lets a key log in, with the entry's options applied here (`from=`,
/// `expiry-time=`, `cert-authority` with `principals=`, a certificate's `source-address`) and
/// the rest (`command=`, `no-pty`, `restrict`, `permitopen=` …) handed back for the
/// connection layer.
public struct AuthorizedKeys: Sendable {
    /// The entries, in file order.
    public var entries: [AuthorizedKey]
    /// Lines that could not be read, with the reason (sshd skips them too).
    public var refused: [(line: Int, error: KeyFileError)]

    /// Reads authorized_keys text.
    public init(text: String) {
        (entries, refused) = AuthorizedKey.entries(in: text)
    }

    /// Reads an authorized_keys file.
    public init(contentsOfFile path: String) throws(AuthError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw AuthError(.invalidCredential, "cannot read \(path)")
        }
        self.init(text: text)
    }

    /// The options of the first entry that authorizes `key` for `user` connecting from
    /// `clientAddress` (and `clientHost`, its name, when known) at `now` (seconds since the
    /// epoch); nil when none does. A certificate is authorized by a `cert-authority` entry for
    /// its CA, as sshd does.
    public func authorize(
        _ key: SSHPublicKey, user: String, clientAddress: String, clientHost: String? = nil, now: UInt64
    ) -> AuthorizedKeyOptions? {
        for entry in entries where Self.entry(entry, admits: key, user: user, now: now) {
            guard Self.fromAllows(entry.options.from, address: clientAddress, host: clientHost) else { continue }
            guard !Self.expired(entry.options.expiryTime, now: now) else { continue }
            if let source = key.certificate?.criticalOption("source-address"),
                !AddressPattern.matches(address: clientAddress, list: source)
            {
                continue
            }
            return entry.options
        }
        return nil
    }

    private static func entry(_ entry: AuthorizedKey, admits key: SSHPublicKey, user: String, now: UInt64) -> Bool {
        guard let certificate = key.certificate else {
            return !entry.options.certAuthority && entry.key == key
        }
        guard entry.options.certAuthority else { return false }
        let principals = entry.options.principals
        do {
            if principals.isEmpty {
                try certificate.validate(kind: .user, principal: user, now: now, trustedAuthorities: [entry.key])
            } else {
                // principals= names who may appear in the certificate in the user's stead.
                guard let principal = certificate.principals.first(where: principals.contains) else { return false }
                try certificate.validate(kind: .user, principal: principal, now: now, trustedAuthorities: [entry.key])
            }
            return true
        } catch {
            return false
        }
    }

    /// `from="pattern-list"`: the client's address or name must match and not be negated.
    static func fromAllows(_ patterns: [String], address: String, host: String?) -> Bool {
        guard !patterns.isEmpty else { return true }
        let list = patterns.joined(separator: ",")
        let byAddress = addressMatch(address, patterns: list)
        let byName = host.map { HostPattern.matchList($0.lowercased(), patterns: list) } ?? .noMatch
        if byAddress == .negated || byName == .negated { return false }
        return byAddress == .matched || byName == .matched
    }

    /// OpenSSH's addr_match_list: entries are `address/masklen` networks or wildcard patterns,
    /// each possibly negated with `!`; a negated match wins.
    static func addressMatch(_ address: String, patterns list: String) -> HostPattern.ListMatch {
        var result = HostPattern.ListMatch.noMatch
        for raw in list.split(separator: ",") {
            let negated = raw.hasPrefix("!")
            let pattern = String(negated ? raw.dropFirst() : raw[...])
            let hit = pattern.contains("/")
                ? AddressPattern.matches(address: address, list: pattern)
                : HostPattern.matches(address, pattern: pattern)
            guard hit else { continue }
            if negated { return .negated }
            result = .matched
        }
        return result
    }

    /// `expiry-time="YYYYMMDD[HHMM[SS]]"`, local time unless it ends in `Z`; an unreadable
    /// time counts as expired, failing closed.
    static func expired(_ expiry: String?, now: UInt64) -> Bool {
        guard let expiry else { return false }
        var text = expiry
        var timeZone = TimeZone.current
        if text.hasSuffix("Z") || text.hasSuffix("z") {
            text.removeLast()
            timeZone = TimeZone(identifier: "UTC") ?? timeZone
        }
        guard [8, 12, 14].contains(text.count), text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else {
            return true
        }
        let digits = Array(text)
        func number(_ range: Range<Int>) -> Int { Int(String(digits[range])) ?? 0 }
        var components = DateComponents()
        components.year = number(0..<4)
        components.month = number(4..<6)
        components.day = number(6..<8)
        components.hour = text.count >= 12 ? number(8..<10) : 0
        components.minute = text.count >= 12 ? number(10..<12) : 0
        components.second = text.count == 14 ? number(12..<14) : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let date = calendar.date(from: components) else { return true }
        return Double(now) >= date.timeIntervalSince1970
    }
}
