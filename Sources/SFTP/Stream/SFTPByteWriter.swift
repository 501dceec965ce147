import NIOCore

/// The outbound half of an ``SFTPByteStream``: where SFTP frames are written.
///
/// An SSH channel, a pipe, a socket or an in-memory queue. Calls arrive one at a time and in order.
public protocol SFTPByteWriter: Sendable {
    /// Writes all of `bytes`, suspending while the other side is not ready.
    func write(_ bytes: ByteBuffer) async throws
    /// Ends the outbound direction (EOF); later writes fail.
    func finish() async
}

/// A writer that can write on the caller's thread, blocking it: an outbox then writes from a thread of its
/// own instead of a task per batch (``SFTPPipeStream``'s writer).
protocol BlockingByteWriter: Sendable {
    /// Writes all of `bytes`, blocking until done.
    func write(blocking bytes: ByteBuffer) throws(SFTPError)
}
