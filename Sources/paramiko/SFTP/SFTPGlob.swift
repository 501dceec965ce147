import SFTP

/// The paths a glob pattern stands for, found as OpenSSH's sftp finds them with OpenBSD's `glob(3)`
/// (`remote_glob` in sftp-glob.c): component by component, listing only the directories whose component
/// holds a wildcard, with hidden names (`.` and `..` too) matched only by a pattern starting with `.`.
enum SFTPGlob {
    /// One path found, with the `lstat` attributes of what it names when known.
    struct Match: Sendable {
        /// The path; with `mark`, directories end in `/`.
        var path: String
        /// Its attributes (nil for the pattern itself returned by `noCheck`).
        var attributes: SFTPAttributes?
    }

    /// What a glob found.
    struct Result: Sendable {
        /// The paths, sorted by their bytes.
        var matches: [Match] = []
        /// How many of them really matched: 0 when `noCheck` returned the pattern itself.
        var matchCount: Int { noMatch ? 0 : matches.count }
        /// True when nothing matched.
        var noMatch = false
    }

    /// The paths `pattern` stands for. With `mark` a directory (or a link to one) gets a trailing `/`
    /// (`GLOB_MARK`); with `noCheck` a pattern matching nothing comes back unescaped as the one result
    /// (`GLOB_NOCHECK`). Names a server lists that are not single path components are never matched.
    static func expand(_ pattern: String, in source: some SFTPGlobSource, mark: Bool, noCheck: Bool) async
        -> Result
    {
        var found: [Match] = []
        var components = pattern.split(separator: "/", omittingEmptySubsequences: false).map(SFTPGlobPattern.init)
        var prefix = ""
        if pattern.hasPrefix("/") {
            prefix = "/"
            components.removeFirst()
        }
        await walk(prefix, components[...], source: source, mark: mark, into: &found)
        found.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        var result = Result(matches: found)
        if found.isEmpty {
            result.noMatch = true
            if noCheck { result.matches = [Match(path: SFTPGlobPattern(Substring(pattern)).literal)] }
        }
        return result
    }

    private static func walk(
        _ prefix: String, _ components: ArraySlice<SFTPGlobPattern>, source: some SFTPGlobSource, mark: Bool,
        into found: inout [Match]
    ) async {
        var path = prefix
        var rest = components
        // Components without wildcards are taken as they are, as glob(3) does.
        while let component = rest.first, !component.hasWildcards {
            path = join(path, component.literal)
            rest = rest.dropFirst()
        }
        guard let component = rest.first else {
            guard !path.isEmpty, let attributes = await source.linkStatus(path) else { return }
            found.append(
                Match(path: await marked(path, attributes, source: source, mark: mark), attributes: attributes))
            return
        }
        let directory = path.isEmpty ? "." : path
        guard let entries = try? await source.entries(of: directory) else { return }
        let remaining = rest.dropFirst()
        for entry in entries {
            let name = entry.filename
            guard SFTPClient.isSinglePathComponent(name) || name == "." || name == ".." else { continue }
            if name.hasPrefix(".") && !component.startsWithDot { continue }
            guard component.matches(name) else { continue }
            let child = join(path, name)
            if remaining.isEmpty {
                found.append(
                    Match(
                        path: await marked(child, entry.attributes, source: source, mark: mark),
                        attributes: entry.attributes))
            } else {
                await walk(child, remaining, source: source, mark: mark, into: &found)
            }
        }
    }

    /// `path` with a `/` added when marking and it is a directory or a link to one.
    private static func marked(_ path: String, _ attributes: SFTPAttributes, source: some SFTPGlobSource, mark: Bool)
        async -> String
    {
        guard mark, !path.hasSuffix("/") else { return path }
        if attributes.isDirectory { return path + "/" }
        if attributes.isSymbolicLink, let target = await source.status(path), target.isDirectory { return path + "/" }
        return path
    }

    /// `name` under `directory`, with one `/` between them.
    private static func join(_ directory: String, _ name: String) -> String {
        if directory.isEmpty { return name }
        return directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
