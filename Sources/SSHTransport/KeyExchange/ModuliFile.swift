import SSHCrypto

/// Diffie–Hellman groups for group exchange (RFC 4419 §3), read from a file in the format of
/// OpenSSH's `/etc/ssh/moduli`: `time type tests tries size generator modulus`, where `size`
/// is the bit length minus one and the modulus is hexadecimal.
public struct ModuliFile: Sendable {
    /// One usable group with its size in bits.
    public struct Entry: Sendable, Hashable {
        public var bits: Int
        public var group: DiffieHellmanGroup
    }

    /// The groups, in file order.
    public let entries: [Entry]

    /// The groups OpenSSH falls back to without a moduli file: MODP 14, 16 and 18.
    public static let builtin = ModuliFile(entries: [
        Entry(bits: 2048, group: .group14), Entry(bits: 4096, group: .group16), Entry(bits: 8192, group: .group18),
    ])

    /// Creates a set from entries.
    public init(entries: [Entry]) { self.entries = entries }

    /// Parses the text of a moduli file, skipping comments, malformed lines and groups that are
    /// not safe primes with tests passed (type 2, tests including 0x04 Miller–Rabin).
    public init(parsing text: String) {
        var entries: [Entry] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 7, !fields[0].hasPrefix("#"), fields[1] == "2",
                let tests = Int(fields[2]), tests & 0x04 != 0, tests & 0x01 == 0,
                let size = Int(fields[4]), size >= 1023, size < 16384,
                let generator = UInt8(fields[5], radix: 16), generator >= 2,
                let prime = Self.hexBytes(fields[6])
            else { continue }
            let group = DiffieHellmanGroup(prime: prime, generator: [generator])
            guard group.bits == size + 1 else { continue }
            entries.append(Entry(bits: group.bits, group: group))
        }
        self.entries = entries
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        var digits = Array(text.utf8)
        if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Picks a group as OpenSSH's server does: among groups within `[minimum, maximum]`, those of
    /// the smallest size at least `preferred` (or else the largest below it), one chosen at random.
    public func choose(minimum: Int, preferred: Int, maximum: Int, using random: inout some SSHRandomSource)
        -> DiffieHellmanGroup?
    {
        let candidates = entries.filter { $0.bits >= minimum && $0.bits <= maximum }
        guard !candidates.isEmpty else { return nil }
        let atLeast = candidates.filter { $0.bits >= preferred }
        let size = atLeast.map(\.bits).min() ?? candidates.map(\.bits).max() ?? 0
        let sameSize = candidates.filter { $0.bits == size }
        return sameSize[Int(random.next() % UInt64(sameSize.count))].group
    }
}
