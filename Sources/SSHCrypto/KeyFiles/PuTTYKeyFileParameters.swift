/// How a PuTTY private key file (`.ppk`, PuTTY manual appendix C) is written: its format version
/// and, for version 3 files with a passphrase, the Argon2 parameters that derive the key.
public struct PuTTYKeyFileParameters: Sendable, Hashable {
    /// The PPK format version: 3 (PuTTY 0.75 and later, Argon2 and HMAC-SHA-256) or 2 (every PuTTY
    /// since 0.52, SHA-1 key derivation and HMAC-SHA-1).
    public var version: Int
    /// The Argon2 flavour of a version 3 file (`Key-Derivation:`).
    public var variant: Argon2.Variant
    /// Argon2 memory in KiB (`Argon2-Memory:`).
    public var memoryKiB: Int
    /// Argon2 passes (`Argon2-Passes:`).
    public var passes: Int
    /// Argon2 lanes (`Argon2-Parallelism:`).
    public var parallelism: Int

    /// PuTTY's defaults: version 3, Argon2id, 8 MiB, one lane. PuTTY picks the pass count that takes
    /// about 100 ms on the machine at hand (8 to 21 on a small server); this library writes a fixed
    /// ``defaultPasses``, which takes about that long here.
    public static let `default` = PuTTYKeyFileParameters()

    /// The pass count written by default.
    public static let defaultPasses = 13

    /// Parameters for a version 3 file; see ``default``.
    public init(
        version: Int = 3, variant: Argon2.Variant = .argon2id, memoryKiB: Int = 8192, passes: Int = defaultPasses,
        parallelism: Int = 1
    ) {
        self.version = version
        self.variant = variant
        self.memoryKiB = memoryKiB
        self.passes = passes
        self.parallelism = parallelism
    }

    /// A version 2 file, which has no key derivation parameters.
    public static let version2 = PuTTYKeyFileParameters(version: 2)
}
