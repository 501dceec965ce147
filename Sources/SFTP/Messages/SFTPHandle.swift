import NIOCore
import SSHWire

/// An opaque handle the server returned for an open file or directory
/// (draft-ietf-secsh-filexfer-02 §6.2: at most 256 bytes).
public struct SFTPHandle: Hashable, Sendable, CustomStringConvertible {
    /// The most bytes a handle may hold (§6.2).
    public static let maximumLength = 256

    /// The handle's bytes.
    public let bytes: ByteBuffer

    /// A handle of `bytes`; nil when longer than ``maximumLength``.
    public init?(bytes: ByteBuffer) {
        guard bytes.readableBytes <= Self.maximumLength else { return nil }
        self.bytes = bytes
    }

    /// A handle of `bytes`; nil when longer than ``maximumLength``.
    public init?(bytes: [UInt8]) {
        self.init(bytes: ByteBuffer(bytes: bytes))
    }

    init(decoding buffer: inout ByteBuffer) throws(WireError) {
        let bytes = try buffer.readSSHString()
        guard bytes.readableBytes <= Self.maximumLength else {
            throw WireError(.lengthTooLarge, "handle of \(bytes.readableBytes) bytes, over 256")
        }
        self.bytes = bytes
    }

    func encode(into buffer: inout ByteBuffer) {
        buffer.writeSSHString(bytes)
    }

    public var description: String {
        "SFTPHandle(" + bytes.readableBytesView.map { String($0, radix: 16) }.joined() + ")"
    }
}
