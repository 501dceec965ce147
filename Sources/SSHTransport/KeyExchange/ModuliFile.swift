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
                let prime = Hex.decode(fields[6])
            else { continue }
            let group = DiffieHellmanGroup(prime: prime, generator: [generator])
            guard group.bits == size + 1 else { continue }
            entries.append(Entry(bits: group.bits, group: group))
        }
        self.entries = entries
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
