import NIOCore
import SSHWire

/// Splits a byte stream into agent messages: each is `uint32 length` and `length` bytes of payload, the
/// first of which is the message number (draft-miller-ssh-agent-14 §3).
///
/// Lengths are checked as soon as their four bytes arrive, before anything is buffered for them: a length
/// over ``maximumFrameLength`` or of zero throws, so a hostile peer cannot make it hold more than one
/// largest frame and one read.
public struct AgentFrameDecoder: Sendable {
    /// The largest payload accepted, 256 KiB: OpenSSH's `AGENT_MAX_LEN` (LIMITS.md, "agent frame").
    public static let maximumFrameLength = 256 * 1024

    private var buffer = ByteBuffer()

    /// A decoder with nothing buffered.
    public init() {}

    /// The bytes received and not yet returned as frames.
    public var bufferedBytes: Int { buffer.readableBytes }

    /// Appends bytes read from the peer.
    public mutating func receive(_ bytes: ByteBuffer) {
        buffer.writeImmutableBuffer(bytes)
    }

    /// The next whole payload, or nil until more bytes arrive. Throws ``AgentError/Code/frameTooLarge`` for
    /// a length over the limit and ``AgentError/Code/malformedMessage`` for an empty frame; after a throw
    /// the stream cannot be resynchronised and the connection must close.
    public mutating func nextFrame() throws(AgentError) -> ByteBuffer? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, endianness: .big, as: UInt32.self) else {
            return nil
        }
        guard UInt64(length) <= UInt64(Self.maximumFrameLength) else {
            throw AgentError(.frameTooLarge, "a frame of \(length) bytes, over the limit of \(Self.maximumFrameLength)")
        }
        guard length > 0 else { throw AgentError(.malformedMessage, "an empty frame has no message number") }
        guard buffer.readableBytes - 4 >= Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(length))
    }

    /// Zeroes the bytes already returned (requests carry private keys and passphrases) and drops them.
    /// Call it once the frames returned are no longer held, so that the storage is not shared.
    public mutating func discardReturnedFrames() {
        let consumed = buffer.readerIndex
        guard consumed > 0 else { return }
        buffer.withVeryUnsafeMutableBytes { storage in
            for index in 0..<consumed { storage[index] = 0 }
        }
        buffer.discardReadBytes()
    }
}

extension ByteBuffer {
    /// Writes one agent frame, `uint32 length` and a payload that `body` writes in place
    /// (draft-miller-ssh-agent-14 §3).
    @discardableResult
    mutating func writeAgentFrame(_ body: (inout ByteBuffer) -> Void) -> Int {
        writeSSHString { payload in body(&payload) }
    }

    /// Reads the message number that opens every payload (§3); an empty payload is malformed.
    mutating func readAgentMessageNumber(of what: String) throws(AgentError) -> UInt8 {
        guard let number = readInteger(as: UInt8.self) else {
            throw AgentError(.malformedMessage, "an empty \(what)")
        }
        return number
    }
}
