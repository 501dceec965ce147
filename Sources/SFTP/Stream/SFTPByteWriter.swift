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
