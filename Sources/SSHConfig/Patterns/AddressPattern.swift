#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// CIDR address lists, as `Match localnetwork` takes them (ssh_config(5) "Match"): comma-separated
/// `address/masklen` entries, IPv4 or IPv6.
public enum AddressPattern: Sendable {
    /// An address family and its bytes in network order.
    struct Address: Equatable {
        var bytes: [UInt8]
    }

    /// Parses a numeric IPv4 or IPv6 address.
    static func parse(_ text: String) -> Address? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return Address(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return Address(bytes: withUnsafeBytes(of: &v6) { Array($0) })
        }
        return nil
    }

    /// Parses a CIDR list; returns nil when an entry is malformed.
    static func parseList(_ list: String) -> [(Address, Int)]? {
        var entries: [(Address, Int)] = []
        for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = entry.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = parse(String(parts[0])) else { return nil }
            let maxBits = address.bytes.count * 8
            var bits = maxBits
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 0, value <= maxBits else { return nil }
                bits = value
            }
            // Host bits below the mask must be clear, as OpenSSH requires.
            guard masked(address, bits) == address else { return nil }
            entries.append((address, bits))
        }
        return entries
    }

    /// Whether `list` is a well-formed CIDR list.
    public static func isValidList(_ list: String) -> Bool { parseList(list) != nil }

    /// Whether the numeric `address` falls inside any network of the CIDR `list`.
    public static func matches(address: String, list: String) -> Bool {
        guard let address = parse(address), let entries = parseList(list) else { return false }
        return entries.contains { network, bits in
            network.bytes.count == address.bytes.count && masked(address, bits) == network
        }
    }

    private static func masked(_ address: Address, _ bits: Int) -> Address {
        var bytes = address.bytes
        for index in bytes.indices {
            let keep = max(0, min(8, bits - index * 8))
            let mask: UInt8 = keep == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - keep))
            bytes[index] &= mask
        }
        return Address(bytes: bytes)
    }
}
