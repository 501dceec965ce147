/// How a cipher aligns a binary packet (RFC 4253 §6).
///
/// Plain modes align `packet_length || padding_length || payload || padding` to the block size.
/// AEAD modes (`aes*-gcm@openssh.com`, `chacha20-poly1305@openssh.com`) and encrypt-then-MAC modes
/// (`*-etm@openssh.com`) leave the 4-byte length unencrypted or separately encrypted, so, as OpenSSH
/// does, they align what follows it.
public struct PacketAlignment: Hashable, Sendable {
    /// The cipher block size; anything below 8 counts as 8 (RFC 4253 §6).
    public var blockSize: Int
    /// Whether the 4-byte `packet_length` is left out of the alignment.
    public var excludesLengthField: Bool

    /// A plain (encrypt-and-MAC) mode with `blockSize`.
    public static func standard(blockSize: Int) -> Self { Self(blockSize: blockSize, excludesLengthField: false) }
    /// An AEAD or encrypt-then-MAC mode with `blockSize`.
    public static func lengthExcluded(blockSize: Int) -> Self { Self(blockSize: blockSize, excludesLengthField: true) }
    /// Before the first NEWKEYS: no cipher, 8-byte alignment.
    public static let unencrypted = standard(blockSize: 8)

    public init(blockSize: Int, excludesLengthField: Bool) {
        self.blockSize = blockSize
        self.excludesLengthField = excludesLengthField
    }

    /// The multiple the aligned bytes must reach: max(8, ``blockSize``).
    public var effectiveBlockSize: Int { max(SSHPacket.minimumBlockSize, blockSize) }
}
