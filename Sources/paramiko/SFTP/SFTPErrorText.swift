import SFTP

/// The words `paramiko sftp` uses for a failure, after OpenSSH's sftp: a server's STATUS is named by its code
/// (`fx2txt` in sftp-common.c: "No such file or directory", "Permission denied", "Failure"…), other failures
/// by what went wrong.
enum SFTPErrorText {
    /// OpenSSH's text for a STATUS code.
    static func text(for code: SFTPStatusCode) -> String {
        switch code {
        case .ok: "No error"
        case .endOfFile: "End of file"
        case .noSuchFile: "No such file or directory"
        case .permissionDenied: "Permission denied"
        case .failure: "Failure"
        case .badMessage: "Bad message"
        case .noConnection: "No connection"
        case .connectionLost: "Connection lost"
        case .operationUnsupported: "Operation unsupported"
        default: "Unknown status"
        }
    }

    /// The text for `error`: the STATUS text for a server's answer, the detail for our own checks and for
    /// local failures.
    static func text(for error: any Error) -> String {
        switch error {
        case let failure as SFTPRemoteDirectory.Failure:
            return text(for: failure.underlying)
        case let local as SFTPLocalError:
            return local.text
        case let sftp as SFTPError:
            if isServerStatus(sftp) || sftp.code == .connectionLost || sftp.code == .noConnection {
                return text(for: sftp.statusCode)
            }
            return sftp.detail
        default:
            return String(describing: error)
        }
    }

    /// True when `error` is a STATUS the server sent, not a check of ours or a local failure: the client
    /// words the detail of those as "server: …".
    static func isServerStatus(_ error: any Error) -> Bool {
        guard let sftp = error as? SFTPError else { return false }
        return sftp.detail.hasPrefix("server: ")
    }

    /// True when `error` means the session with the server is gone.
    static func isConnectionLost(_ error: any Error) -> Bool {
        if let failure = error as? SFTPRemoteDirectory.Failure { return isConnectionLost(failure.underlying) }
        guard let sftp = error as? SFTPError, !isServerStatus(sftp) else { return false }
        return sftp.code == .connectionLost || sftp.code == .noConnection
    }
}
