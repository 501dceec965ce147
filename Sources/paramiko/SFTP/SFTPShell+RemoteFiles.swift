import SFTP

/// The commands that change remote names and attributes: `cd`, `mkdir`, `rmdir`, `rm`, `rename`, `ln`,
/// `symlink`, `cp`, `chmod`, `chown` and `chgrp`, with OpenSSH's sftp messages (sftp-client.c).
extension SFTPShell {
    /// `cd`: REALPATH, then STAT to check for a directory; a bare `cd` returns to the start directory.
    func changeDirectory(_ path: String?) async -> Bool {
        let wanted = absolute(path.flatMap { $0.isEmpty ? nil : $0 } ?? startDirectory)
        let resolved: String
        do {
            resolved = try await client.realpath(wanted)
        } catch {
            return failure("realpath \(wanted)", error)
        }
        let attributes: SFTPAttributes
        do {
            attributes = try await client.stat(resolved)
        } catch {
            return failure("stat remote", error)
        }
        guard attributes.permissions != nil else { return failure("Can't change directory: Can't check target") }
        guard attributes.isDirectory else {
            return failure("Can't change directory: \"\(resolved)\" is not a directory")
        }
        remoteDirectory = resolved
        return true
    }

    /// `mkdir`, asking for mode 0777 (the server's umask applies).
    func makeDirectory(_ path: String) async -> Bool {
        do {
            try await client.mkdir(path, mode: 0o777)
        } catch {
            return failure("remote mkdir \"\(path)\"", error)
        }
        return true
    }

    /// `rmdir`.
    func removeDirectory(_ path: String) async -> Bool {
        do {
            try await client.rmdir(path)
        } catch {
            return failure("remote rmdir \"\(path)\"", error)
        }
        return true
    }

    /// `rm`: every path the pattern matches, or the pattern itself when nothing does.
    func remove(_ pattern: String, stopAtFirstError: Bool) async -> Bool {
        let found = await SFTPGlob.expand(
            absolutePattern(pattern), in: SFTPRemoteGlobSource(client: client), mark: false, noCheck: true)
        var succeeded = true
        for match in found.matches {
            if !settings.quiet { console.print("Removing \(match.path)") }
            do {
                try await client.remove(match.path)
            } catch {
                succeeded = failure("remote delete \(match.path)", error)
                if stopAtFirstError || connectionLost { break }
            }
        }
        return succeeded
    }

    /// `rename`: POSIX semantics (`posix-rename@openssh.com`, replacing the target) when the server has them
    /// and `-l` was not given.
    func rename(_ from: String, to: String, legacy: Bool) async -> Bool {
        do {
            if !legacy && client.supports(SFTPExtensionName.posixRename) {
                try await client.posixRename(from, to: to)
            } else {
                try await client.rename(from, to: to)
            }
        } catch {
            return failure("remote rename \"\(from)\" to \"\(to)\"", error)
        }
        return true
    }

    /// `ln -s` and `symlink` (the target goes as typed; a relative one stays relative to the link), or `ln`
    /// for a hard link (`hardlink@openssh.com`).
    func link(_ target: String, at path: String, symbolic: Bool) async -> Bool {
        let linkPath = absolute(path)
        if symbolic {
            guard client.serverVersion >= 3 else {
                return failure("This server does not support the symlink operation")
            }
            do {
                try await client.symlink(target: target, linkPath: linkPath)
            } catch {
                return failure("remote symlink file \"\(target)\" to \"\(linkPath)\"", error)
            }
            return true
        }
        guard client.supports(SFTPExtensionName.hardlink) else {
            return failure("Server does not support hardlink@openssh.com extension")
        }
        let existing = absolute(target)
        do {
            try await client.hardlink(existing, to: linkPath)
        } catch {
            return failure("remote link \"\(existing)\" to \"\(linkPath)\"", error)
        }
        return true
    }

    /// `cp`: a copy made by the server (`copy-data`), with the source's permission bits.
    func copy(_ from: String, to: String) async -> Bool {
        guard client.supports(SFTPExtensionName.copyData) else {
            return failure("Server does not support copy-data extension")
        }
        let attributes: SFTPAttributes
        do {
            attributes = try await client.stat(from)
        } catch {
            return failure("stat remote", error)
        }
        if attributes.permissions != nil && !attributes.isRegularFile {
            return failure("Cannot copy non-regular file: \(from)")
        }
        let mode = (attributes.permissions ?? 0o666) & 0o777
        let source: SFTPHandle
        do {
            source = try await client.openHandle(from, flags: .read)
        } catch {
            return failure("remote open(\"\(from)\")", error)
        }
        let destination: SFTPHandle
        do {
            destination = try await client.openHandle(
                to, flags: [.write, .create, .truncate], attributes: SFTPAttributes(permissions: mode))
        } catch {
            try? await client.closeHandle(source)
            return failure("remote open(\"\(to)\")", error)
        }
        var succeeded = true
        do {
            try await client.copyData(from: source, to: destination)
        } catch {
            succeeded = failure("Couldn't copy file \"\(from)\" to \"\(to)\"", error)
        }
        try? await client.closeHandle(source)
        try? await client.closeHandle(destination)
        return succeeded
    }

    /// `chmod [-h] mode path`, for every path the pattern matches.
    func changeMode(_ mode: UInt32, _ pattern: String, noFollow: Bool, stopAtFirstError: Bool) async -> Bool {
        if noFollow && !client.supports(SFTPExtensionName.lsetstat) {
            return failure("Server does not support lsetstat@openssh.com extension")
        }
        let found = await SFTPGlob.expand(
            absolutePattern(pattern), in: SFTPRemoteGlobSource(client: client), mark: false, noCheck: true)
        var succeeded = true
        for match in found.matches {
            if !settings.quiet { console.print("Changing mode on \(match.path)") }
            do {
                if noFollow {
                    try await client.lsetstat(match.path, SFTPAttributes(permissions: mode))
                } else {
                    try await client.chmod(match.path, mode: mode)
                }
            } catch {
                succeeded = failure("remote \(noFollow ? "lsetstat" : "setstat") \"\(match.path)\"", error)
                if stopAtFirstError || connectionLost { break }
            }
        }
        return succeeded
    }

    /// `chown` (with `uid`) and `chgrp` (with `gid`): the other id is kept from a STAT (LSTAT with `-h`).
    func changeOwnership(uid: UInt32?, gid: UInt32?, _ pattern: String, noFollow: Bool, stopAtFirstError: Bool)
        async -> Bool
    {
        if noFollow && !client.supports(SFTPExtensionName.lsetstat) {
            return failure("Server does not support lsetstat@openssh.com extension")
        }
        let found = await SFTPGlob.expand(
            absolutePattern(pattern), in: SFTPRemoteGlobSource(client: client), mark: false, noCheck: true)
        var succeeded = true
        for match in found.matches {
            let path = match.path
            let current: SFTPAttributes
            do {
                current = noFollow ? try await client.lstat(path) : try await client.stat(path)
            } catch {
                succeeded = failure("stat remote", error)
                if stopAtFirstError || connectionLost { break } else { continue }
            }
            guard let currentUID = current.uid, let currentGID = current.gid else {
                succeeded = failure("Can't get current ownership of remote file \"\(path)\"")
                if stopAtFirstError { break } else { continue }
            }
            if !settings.quiet { console.print("Changing \(uid != nil ? "owner" : "group") on \(path)") }
            let wanted = SFTPAttributes(uid: uid ?? currentUID, gid: gid ?? currentGID)
            do {
                if noFollow {
                    try await client.lsetstat(path, wanted)
                } else {
                    try await client.setstat(path, wanted)
                }
            } catch {
                succeeded = failure("remote \(noFollow ? "lsetstat" : "setstat") \"\(path)\"", error)
                if stopAtFirstError || connectionLost { break }
            }
        }
        return succeeded
    }
}
