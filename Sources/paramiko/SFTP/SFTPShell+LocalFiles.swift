#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The commands that work on this machine: `lcd`, `lmkdir`, `lpwd` and `lumask`.
extension SFTPShell {
    /// `lcd [path]`: changes the process's working directory; a bare `lcd` goes home.
    func localChangeDirectory(_ path: String?) -> Bool {
        let wanted = SFTPLocalFiles.expandTilde(path.flatMap { $0.isEmpty ? nil : $0 } ?? "~")
        guard chdir(wanted) == 0 else {
            return failure(
                "Couldn't change local directory to \"\(wanted)\": \(SFTPLocalFiles.errorText(errno))")
        }
        return true
    }

    /// `lmkdir path`, with mode 0777 less the umask.
    func localMakeDirectory(_ path: String) -> Bool {
        guard mkdir(path, 0o777) == 0 else {
            return failure("Couldn't create local directory \"\(path)\": \(SFTPLocalFiles.errorText(errno))")
        }
        return true
    }

    /// `lpwd`.
    func printLocalDirectory() -> Bool {
        switch SFTPLocalFiles.currentDirectory() {
        case .success(let directory):
            console.print("Local working directory: \(directory)")
            return true
        case .failure(let error):
            return failure("Couldn't get local cwd: \(error.text)")
        }
    }

    /// `lumask umask`.
    func localUmask(_ value: UInt32) -> Bool {
        umask(mode_t(truncatingIfNeeded: value))
        let octal = String(value, radix: 8)
        console.print("Local umask: \(String(repeating: "0", count: max(0, 3 - octal.count)))\(octal)")
        return true
    }
}
