import SFTP

/// The code of the SFTPError `body` throws, nil when it succeeds, `.failure` for any other error.
func sftpErrorCode(_ body: () async throws -> Void) async -> SFTPError.Code? {
    do {
        try await body()
        return nil
    } catch let error as SFTPError {
        return error.code
    } catch {
        return .failure
    }
}
