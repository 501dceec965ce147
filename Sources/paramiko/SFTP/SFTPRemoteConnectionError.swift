/// A failure to open the SSH connection for `paramiko sftp`.
struct SFTPRemoteConnectionError: Error, CustomStringConvertible {
    let message: String

    var description: String { message }
}
