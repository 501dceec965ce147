#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client path resolved under the root: the descriptor of the directory that holds the final component,
/// the component itself (nil when the path names that directory), and the path as the client sees it.
///
/// Owns ``directory`` unless it is the root's descriptor; call ``close()``.
final class ResolvedPath: @unchecked Sendable {
    /// The directory holding ``name``, opened with `O_NOFOLLOW` at every step from the root.
    let directory: Int32
    /// The final component, never `.`, `..`, empty or containing `/`; nil for the directory itself.
    let name: String?
    /// The directory's path in the client's view, as components below the root.
    let directoryComponents: [String]
    private let ownsDirectory: Bool
    private var closed = false

    init(directory: Int32, ownsDirectory: Bool, name: String?, directoryComponents: [String]) {
        self.directory = directory
        self.ownsDirectory = ownsDirectory
        self.name = name
        self.directoryComponents = directoryComponents
    }

    /// The path in the client's view: absolute, `/` being the root.
    var virtualPath: String {
        "/" + (directoryComponents + (name.map { [$0] } ?? [])).joined(separator: "/")
    }

    /// The final component, or a typed error for operations that need one.
    func requireName(_ operation: String) throws(SFTPError) -> String {
        guard let name else {
            throw SFTPError(.failure, "\(operation) \(virtualPath): not possible on a directory itself")
        }
        return name
    }

    func close() {
        guard !closed else { return }
        closed = true
        if ownsDirectory { _ = closeDescriptor(directory) }
    }

    deinit { close() }
}

/// Resolves client paths component by component under a root directory descriptor (LIMITS.md): no lexical
/// prefix check, no kernel path walk from a string.
///
/// Each directory is opened with `openat(…, O_DIRECTORY | O_NOFOLLOW)` relative to the one before it, and
/// each symbolic link is read with `readlinkat` and expanded here, inside the root's view: an absolute
/// target starts again at the root, `..` stops at the root, as under `chroot`. A link swapped in after
/// it was checked makes the next `O_NOFOLLOW` open fail instead of being followed. (Linux's
/// `openat2(RESOLVE_IN_ROOT)` does the same in the kernel; this walk works on every POSIX system.) The final operation then
/// runs on `(directory, name)` with an `*at` call that does not follow links.
struct LocalPathResolver: Sendable {
    /// Symbolic links expanded in one path before ELOOP (Linux's MAXSYMLINKS).
    static let maximumLinks = 40

    let root: Int32
    /// The home directory's components, for relative paths.
    let home: [String]
    /// The root's canonical real path with a trailing `/`: a link target starting with it, written by a
    /// local process, is read as the path below the root it names. Only the link's text is rewritten;
    /// the result is resolved like any other.
    let realRootPrefix: String

    #if os(Linux)
        // O_PATH (0o10000000): a directory we may search but not read can still be walked through.
        private static let walkFlags: Int32 = 0o10000000 | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
    #else
        private static let walkFlags: Int32 = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
    #endif

    /// Components of `path`: from the root if it is absolute, from the home directory otherwise.
    func components(_ path: String) -> [String] {
        let own = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        return path.hasPrefix("/") ? own : home + own
    }

    /// Resolves `path`. The final component must exist unless it is missing from an existing directory;
    /// a final symbolic link is expanded when `followFinalLink` is true.
    func resolve(_ path: String, followFinalLink: Bool) throws(SFTPError) -> ResolvedPath {
        guard !path.utf8.contains(0) else { throw SFTPError(.badMessage, "a path with a NUL byte") }
        var pending = Array(components(path).reversed())
        var stack: [(name: String, fd: Int32)] = []
        var links = 0
        func current() -> Int32 { stack.last?.fd ?? root }
        func description(_ name: String) -> String { "/" + (stack.map(\.name) + [name]).joined(separator: "/") }
        func finish(_ name: String?) -> ResolvedPath {
            let top = stack.popLast()
            for entry in stack { _ = closeDescriptor(entry.fd) }
            return ResolvedPath(
                directory: top?.fd ?? root, ownsDirectory: top != nil, name: name,
                directoryComponents: stack.map(\.name) + (top.map { [$0.name] } ?? []))
        }
        do throws(SFTPError) {
            while let component = pending.popLast() {
                if component.isEmpty || component == "." { continue }
                if component == ".." {
                    if let top = stack.popLast() { _ = closeDescriptor(top.fd) }
                    continue
                }
                let isLast = pending.isEmpty
                if isLast && !followFinalLink { return finish(component) }
                var info = FileStatus()
                if fstatat(current(), component, &info, AT_SYMLINK_NOFOLLOW) != 0 {
                    let code = errno
                    if isLast && code == ENOENT { return finish(component) }
                    throw SFTPError(errno: code, description(component))
                }
                if info.st_mode & S_IFMT == S_IFLNK {
                    links += 1
                    guard links <= Self.maximumLinks else { throw SFTPError(errno: ELOOP, description(component)) }
                    var target = try localLinkTarget(current(), component, describedAs: description(component))
                    if target.hasPrefix(realRootPrefix) { target = "/" + target.dropFirst(realRootPrefix.count) }
                    if target.hasPrefix("/") {
                        for entry in stack { _ = closeDescriptor(entry.fd) }
                        stack = []
                    }
                    pending.append(contentsOf: target.split(separator: "/").map(String.init).reversed())
                    continue
                }
                if isLast { return finish(component) }
                guard info.st_mode & S_IFMT == S_IFDIR else { throw SFTPError(errno: ENOTDIR, description(component)) }
                let fd = openat(current(), component, Self.walkFlags)
                guard fd >= 0 else {
                    let code = errno
                    if code == ELOOP, links < Self.maximumLinks {
                        // Swapped for a link since the check: look again, counting it as a link.
                        links += 1
                        pending.append(component)
                        continue
                    }
                    throw SFTPError(errno: code, description(component))
                }
                stack.append((component, fd))
            }
            return finish(nil)
        } catch {
            for entry in stack { _ = closeDescriptor(entry.fd) }
            throw error
        }
    }
}
