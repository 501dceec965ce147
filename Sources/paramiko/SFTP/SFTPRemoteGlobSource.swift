import SFTP

/// Glob input from the server: READDIR, LSTAT and STAT.
struct SFTPRemoteGlobSource: SFTPGlobSource {
    let client: SFTPClient

    func entries(of directory: String) async throws -> [SFTPNameEntry] {
        try await SFTPRemoteDirectory.read(directory, client: client)
    }

    func linkStatus(_ path: String) async -> SFTPAttributes? {
        try? await client.lstat(path)
    }

    func status(_ path: String) async -> SFTPAttributes? {
        try? await client.stat(path)
    }
}
