import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Glob input from this machine: `readdir(3)` and `lstat(2)`.
struct SFTPLocalGlobSource: SFTPGlobSource {
    func entries(of directory: String) async throws -> [SFTPNameEntry] {
        guard let stream = opendir(directory) else { throw SFTPLocalError(code: errno) }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            names.append(name)
        }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names.map { name in
            SFTPNameEntry(filename: name, attributes: (try? SFTPLocalFiles.linkStatus(base + name).get()) ?? .none)
        }
    }

    func linkStatus(_ path: String) async -> SFTPAttributes? {
        try? SFTPLocalFiles.linkStatus(path).get()
    }

    func status(_ path: String) async -> SFTPAttributes? {
        try? SFTPLocalFiles.status(path).get()
    }
}
