/// The entries of a remote directory as they arrive, one READDIR batch at a time
/// (draft-ietf-secsh-filexfer-02 §6.7): OPENDIR on the first `next()`, CLOSE at the end.
///
/// `.` and `..` are left out, as paramiko's `listdir_attr` does. Names are as the server sent them; check
/// them with ``SFTPClient/isSinglePathComponent(_:)`` before building local paths from them.
public struct SFTPDirectoryListing: AsyncSequence, Sendable {
    /// One directory entry.
    public typealias Element = SFTPNameEntry

    let client: SFTPClient
    let path: String

    /// Reads the directory batch by batch.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: SFTPClient
        let path: String
        var handle: SFTPHandle?
        var batch: [SFTPNameEntry] = []
        var batchIndex = 0
        var finished = false

        /// The next entry, sending OPENDIR, READDIR or CLOSE as needed.
        public mutating func next() async throws -> SFTPNameEntry? {
            while !finished {
                if batchIndex < batch.count {
                    let entry = batch[batchIndex]
                    batchIndex += 1
                    if entry.filename == "." || entry.filename == ".." { continue }
                    return entry
                }
                let handle: SFTPHandle
                if let open = self.handle {
                    handle = open
                } else {
                    handle = try await client.openDirectoryHandle(path)
                    self.handle = handle
                }
                do {
                    if let entries = try await client.readDirectory(handle) {
                        batch = entries
                        batchIndex = 0
                    } else {
                        finished = true
                        try await client.closeHandle(handle)
                    }
                } catch {
                    finished = true
                    try? await client.closeHandle(handle)
                    throw error
                }
            }
            return nil
        }
    }

    /// An iterator that opens the directory on its first `next()`.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, path: path)
    }
}

extension SFTPClient {
    /// The entries of directory `path`, streamed as READDIR returns them (§6.7).
    public func directoryEntries(_ path: String = ".") -> SFTPDirectoryListing {
        SFTPDirectoryListing(client: self, path: absolutePath(path))
    }

    /// Every entry of directory `path`, without `.` and `..` (paramiko's `listdir_attr`).
    public func listDirectory(_ path: String = ".") async throws -> [SFTPNameEntry] {
        var entries: [SFTPNameEntry] = []
        for try await entry in directoryEntries(path) { entries.append(entry) }
        return entries
    }

    /// The names in directory `path`, without `.` and `..` (paramiko's `listdir`).
    public func listNames(_ path: String = ".") async throws -> [String] {
        try await listDirectory(path).map(\.filename)
    }

    /// True when `name` is one path component that cannot leave the directory it is joined to: not empty,
    /// not `.` or `..`, no `/` and no NUL (LIMITS.md: the client accepts only these from READDIR).
    public static func isSinglePathComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(UInt8(ascii: "/"))
            && !name.utf8.contains(0)
    }
}
