/// A failed local system call: its errno, and the system's text for it.
struct SFTPLocalError: Error {
    /// The errno value.
    let code: Int32
    /// `strerror(3)` of it.
    var text: String { SFTPLocalFiles.errorText(code) }
}
