import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `ls` and `df` (`do_ls_dir`, `do_globbed_ls` and `do_df` in OpenSSH's sftp).
extension SFTPShell {
    /// `ls [flags] [path]`: the working directory, a directory the pattern names, or the paths it matches.
    /// Names of relative patterns are shown relative to the working directory.
    func list(_ path: String?, _ flags: SFTPShellCommand.ListingFlags) async -> Bool {
        guard let path else {
            // OpenSSH's sftp does not count a failure to list the working directory as a failure.
            _ = await listDirectory(remoteDirectory, strip: remoteDirectory, flags)
            return true
        }
        let strip = path.hasPrefix("/") ? nil : remoteDirectory
        let pattern = absolutePattern(path)
        let found = await SFTPGlob.expand(pattern, in: SFTPRemoteGlobSource(client: client), mark: true, noCheck: true)
        guard found.matchCount > 0 else {
            if connectionLost { return false }
            return failure("Can't ls: \"\(pattern)\" not found")
        }
        if found.matchCount == 1, let only = found.matches.first, only.attributes?.isDirectory == true {
            return await listDirectory(only.path, strip: strip, flags)
        }
        var matches = found.matches
        sort(&matches, flags, path: \.path, attributes: { $0.attributes ?? .none })
        let width = SFTPConsole.columns(of: STDIN_FILENO)
        if flags.long {
            let names = await ownerNames(matches.compactMap(\.attributes), numeric: flags.numeric)
            for match in matches {
                let name = Self.strip(match.path, strip)
                guard let attributes = match.attributes else {
                    failure("no stat information for \(name)")
                    continue
                }
                console.print(
                    SFTPListingFormatter.longLine(
                        name, attributes, owner: names.owner(attributes), group: names.group(attributes),
                        humanReadable: flags.humanReadable))
            }
        } else {
            let longest = found.matches.map(\.path.utf8.count).max() ?? 0
            let names = matches.map { Self.strip($0.path, strip) }
            for line in SFTPListingFormatter(width: width).columns(
                names, longest: longest, singleColumn: flags.singleColumn)
            {
                console.print(line)
            }
        }
        return true
    }

    /// The entries of the directory `path`, shown relative to `strip`.
    func listDirectory(_ path: String, strip: String?, _ flags: SFTPShellCommand.ListingFlags) async -> Bool {
        var entries: [SFTPNameEntry]
        do {
            entries = try await SFTPRemoteDirectory.read(path, client: client)
        } catch {
            if error.opening { return failure("remote readdir(\"\(path)\")", error) }
            return failure("Couldn't read directory", error)
        }
        entries = entries.filter { flags.all || !$0.filename.hasPrefix(".") }
        sort(&entries, flags, path: \.filename, attributes: \.attributes)
        let prefix = Self.strip(path, strip)
        if flags.long {
            let useLongNames =
                !(flags.numeric || flags.humanReadable || client.supports(SFTPExtensionName.usersGroupsByID))
            let names =
                useLongNames ? SFTPOwnerNames() : await ownerNames(entries.map(\.attributes), numeric: flags.numeric)
            for entry in entries {
                if useLongNames {
                    console.print(entry.longname)
                } else {
                    let name = Self.strip(Self.append(path, entry.filename), strip)
                    console.print(
                        SFTPListingFormatter.longLine(
                            name, entry.attributes, owner: names.owner(entry.attributes),
                            group: names.group(entry.attributes), humanReadable: flags.humanReadable))
                }
            }
        } else {
            let longest = (entries.map(\.filename.utf8.count).max() ?? 0) + prefix.utf8.count
            let names = entries.map { Self.strip(Self.append(path, $0.filename), strip) }
            let formatter = SFTPListingFormatter(width: SFTPConsole.columns(of: STDIN_FILENO))
            for line in formatter.columns(names, longest: longest, singleColumn: flags.singleColumn) {
                console.print(line)
            }
        }
        return true
    }

    /// Sorts listing items by `flags`: by name (bytes), newest first, or largest first, maybe reversed.
    private func sort<Item>(
        _ items: inout [Item], _ flags: SFTPShellCommand.ListingFlags, path: (Item) -> String,
        attributes: (Item) -> SFTPAttributes
    ) {
        let reverse = flags.reverse
        switch flags.order {
        case .none:
            return
        case .name:
            items.sort {
                let (a, b) = reverse ? ($1, $0) : ($0, $1)
                return Array(path(a).utf8).lexicographicallyPrecedes(Array(path(b).utf8))
            }
        case .time:
            items.sort {
                let (a, b) = reverse ? ($1, $0) : ($0, $1)
                return (attributes(a).modificationTime ?? 0) > (attributes(b).modificationTime ?? 0)
            }
        case .size:
            items.sort {
                let (a, b) = reverse ? ($1, $0) : ($0, $1)
                return (attributes(a).size ?? 0) > (attributes(b).size ?? 0)
            }
        }
    }

    /// `path` with the directory `strip` taken off its front (`path_strip`), or as it is.
    static func strip(_ path: String, _ strip: String?) -> String {
        guard let strip, !strip.isEmpty, path.hasPrefix(strip) else { return path }
        var rest = path.dropFirst(strip.count)
        if !strip.hasSuffix("/") && rest.hasPrefix("/") { rest = rest.dropFirst() }
        return String(rest)
    }

    /// The names of the owners and groups in `attributes` (`users-groups-by-id@openssh.com`), or numbers
    /// when the server cannot say or `numeric`.
    private func ownerNames(_ attributes: [SFTPAttributes], numeric: Bool) async -> SFTPOwnerNames {
        var names = SFTPOwnerNames()
        guard !numeric, client.supports(SFTPExtensionName.usersGroupsByID) else { return names }
        let uids = Array(Set(attributes.compactMap(\.uid))).sorted()
        let gids = Array(Set(attributes.compactMap(\.gid))).sorted()
        guard !uids.isEmpty || !gids.isEmpty,
            let reply = try? await client.names(uids: uids, gids: gids),
            reply.userNames.count == uids.count, reply.groupNames.count == gids.count
        else { return names }
        for (uid, name) in zip(uids, reply.userNames) where !name.isEmpty { names.users[uid] = name }
        for (gid, name) in zip(gids, reply.groupNames) where !name.isEmpty { names.groups[gid] = name }
        return names
    }

    /// `df [-h|-i] [path]` for the file system holding `path` or the working directory.
    func diskFree(_ path: String?, humanReadable: Bool, inodes: Bool) async -> Bool {
        let target = absolute(path ?? remoteDirectory)
        guard client.supports(SFTPExtensionName.statvfs) else {
            return failure("Server does not support statvfs@openssh.com extension")
        }
        let stats: SFTPFileSystemStats
        do {
            stats = try await client.statvfs(target)
        } catch {
            return failure("remote statvfs \"\(target)\"", error)
        }
        for line in SFTPListingFormatter.diskFree(stats, humanReadable: humanReadable, inodes: inodes) {
            console.print(line)
        }
        return true
    }
}
