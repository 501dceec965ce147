import COpenSSL

/// A source of random bytes. Protocol code takes one as a parameter so tests can
/// inject a deterministic source; production uses ``SystemRandom``.
public protocol SSHRandomSource: RandomNumberGenerator {
    /// Fills `buffer` with random bytes.
    mutating func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

extension SSHRandomSource {
    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        result.withUnsafeMutableBytes { fill($0) }
        return result
    }

    /// `count` random bytes in zeroing storage.
    public mutating func secureBytes(_ count: Int) -> SecureBytes {
        var copy = self
        let result = SecureBytes(count: count) { copy.fill($0) }
        self = copy
        return result
    }

    public mutating func next() -> UInt64 {
        var value: UInt64 = 0
        withUnsafeMutableBytes(of: &value) { fill($0) }
        return value
    }
}

/// The operating system's cryptographically secure generator, through libcrypto's `RAND_bytes`.
public struct SystemRandom: SSHRandomSource, Sendable {
    /// Creates the generator (it holds no state).
    public init() {}

    public mutating func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        Self.fill(buffer)
    }

    /// Fills `buffer` from `RAND_bytes`. A failure of the system generator is not recoverable.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let status = RAND_bytes(base.assumingMemoryBound(to: UInt8.self), Int32(buffer.count))
        precondition(status == 1, "the system random generator failed")
    }
}
