import SFTP

/// Reads a whole remote directory as OpenSSH's sftp does (`do_readdir`): OPENDIR, READDIR until EOF, CLOSE,
/// keeping `.` and `..` (for `ls -a`) and every entry's long name.
enum SFTPRemoteDirectory {
    /// A failed read, and whether it failed opening the directory or reading it.
    struct Failure: Error {
        /// True when OPENDIR failed; false when a READDIR did.
        let opening: Bool
        /// What the server or the session said.
        let underlying: any Error
    }

    /// Every entry of `path` in the server's order, with names that are not a single path component (a
    /// hostile server's `../x`) left out.
    static func read(_ path: String, client: SFTPClient) async throws(Failure) -> [SFTPNameEntry] {
        let handle: SFTPHandle
        do {
            handle = try await client.openDirectoryHandle(path)
        } catch {
            throw Failure(opening: true, underlying: error)
        }
        var entries: [SFTPNameEntry] = []
        do {
            while let batch = try await client.readDirectory(handle) {
                if batch.isEmpty { break }
                entries += batch.filter {
                    $0.filename == "." || $0.filename == ".." || SFTPClient.isSinglePathComponent($0.filename)
                }
            }
        } catch {
            try? await client.closeHandle(handle)
            throw Failure(opening: false, underlying: error)
        }
        try? await client.closeHandle(handle)
        return entries
    }
}
