import Dispatch

/// Runs blocking system calls on Dispatch's threads, never on Swift's cooperative pool or an event loop:
/// the local file system's reads, writes and path walks.
enum BlockingIO {
    private static let queue = DispatchQueue(label: "sftp.blocking-io", attributes: .concurrent)

    /// Runs `body` on a Dispatch thread and returns its result.
    static func run<Value: Sendable>(_ body: @escaping @Sendable () throws(SFTPError) -> Value) async throws
        -> Value
    {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
            queue.async {
                do throws(SFTPError) {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}
