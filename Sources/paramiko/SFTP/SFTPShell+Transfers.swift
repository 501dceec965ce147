import Foundation
import SFTP

/// `get`, `put`, `reget` and `reput` (`process_get`, `process_put`, `do_download`, `do_upload`,
/// `download_dir` and `upload_dir` in OpenSSH's sftp): sources are globbed, several sources need a directory
/// as destination, and directories move only with `-r`. As OpenSSH does, a downloaded file is created with
/// the remote file's permission bits and an uploaded one with the local file's, and recursive transfers
/// leave symbolic links out.
extension SFTPShell {
    // MARK: get

    func get(_ source: String, to destination: String?, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let pattern = absolutePattern(source)
        let found = await SFTPGlob.expand(pattern, in: SFTPRemoteGlobSource(client: client), mark: true, noCheck: false)
        guard found.matchCount > 0 else { return failure("File \"\(pattern)\" not found.") }
        if found.matchCount > 1, let destination, !SFTPLocalFiles.isDirectory(destination) {
            return failure("Multiple source paths, but destination \"\(destination)\" is not a directory")
        }
        let flags = effective(flags)
        var succeeded = true
        for match in found.matches {
            guard !connectionLost else { return false }
            let name = Self.baseName(match.path)
            let target: String
            if let destination {
                let intoDirectory = found.matchCount > 1 || SFTPLocalFiles.isDirectory(destination)
                target = intoDirectory ? Self.append(destination, name) : destination
            } else {
                target = name
            }
            if !settings.quiet { console.print("\(flags.resume ? "Resuming" : "Fetching") \(match.path) to \(target)") }
            let done: Bool
            if match.path.hasSuffix("/") && flags.recursive {
                done = await downloadDirectory(match.path, to: target, flags)
            } else {
                done = await downloadFile(match.path, to: target, flags)
            }
            if !done { succeeded = false }
        }
        return succeeded
    }

    /// One file down (`do_download`).
    func downloadFile(_ remote: String, to local: String, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let (preserve, resume) = (flags.preserve, flags.resume)
        let attributes: SFTPAttributes
        do {
            attributes = try await client.stat(remote)
        } catch {
            return failure("stat remote", error)
        }
        if attributes.permissions != nil && !attributes.isRegularFile {
            return failure("download \(remote): not a regular file")
        }
        let mode = mode_t((attributes.permissions ?? 0o666) & 0o777)
        let size = attributes.size ?? 0
        // The local file is opened (and created with the remote permission bits) here, so that its errors
        // name it; the transfer reopens it.
        let existed = (try? SFTPLocalFiles.linkStatus(local).get()) != nil
        let descriptor = open(local, O_WRONLY | O_CREAT | O_CLOEXEC, mode | S_IWUSR)
        guard descriptor >= 0 else {
            return failure("open local \"\(local)\": \(SFTPLocalFiles.errorText(errno))")
        }
        var start: UInt64 = 0
        if resume {
            var info = stat()
            if fstat(descriptor, &info) == 0 { start = UInt64(max(0, info.st_size)) }
        }
        close(descriptor)
        if start > size {
            return failure("Unable to resume download of \"\(local)\": local file is larger than remote")
        }
        let meter =
            settings.showProgress && size != 0
            ? SFTPProgressMeter(name: remote, total: size, offset: start, console: console) : nil
        let moved = SFTPTransferCounter(start: start)
        let options = transferOptions(flags) { progress in
            moved.record(progress)
            meter?.update(progress)
        }
        do {
            try await client.get(remote, to: local, options: options)
            meter?.finish()
        } catch {
            meter?.finish()
            if !existed && !moved.hasMoved { unlink(local) }
            if !moved.hasMoved && SFTPErrorText.isServerStatus(error) {
                return failure("remote open \"\(remote)\"", error)
            }
            return failure("read remote \"\(remote)\" ", error)
        }
        // Like OpenSSH, setuid, setgid and sticky bits are not carried over.
        if preserve, (attributes.permissions ?? 0) & 0o7000 != 0 { chmod(local, mode) }
        if resume && start == size { console.error("File \"\(local)\" was not modified") }
        return true
    }

    /// A directory tree down (`download_dir`): "Retrieving" for each directory, links and special files
    /// left out with a notice.
    func downloadDirectory(_ remote: String, to local: String, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let canonical: String
        do {
            canonical = try await client.realpath(remote)
        } catch {
            if SFTPErrorText.isConnectionLost(error) { return failure("", error) }
            return failure("download \"\(remote)\": path canonicalization failed")
        }
        var whole = flags
        whole.resume = false
        var options = transferOptions(whole, progress: nil)
        options.symbolicLinks = .skip
        let console = self.console
        options.treeEvents = { event in
            switch event {
            case .enteringDirectory(let path): console.print("Retrieving \(path)")
            case .skipped(let path): console.error("download \"\(path)\": not a regular file")
            }
        }
        do {
            try await client.getDirectory(canonical, to: local, options: options)
        } catch {
            return failure("download \"\(canonical)\" to \"\(local)\"", error)
        }
        return true
    }

    // MARK: put

    func put(_ source: String, to destination: String?, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let target = destination.map(absolute)
        let found = await SFTPGlob.expand(source, in: SFTPLocalGlobSource(), mark: true, noCheck: true)
        var targetIsDirectory = true
        if let target { targetIsDirectory = await remoteIsDirectory(target) }
        if found.matchCount > 1, let target, !targetIsDirectory {
            return failure("Multiple paths match, but destination \"\(target)\" is not a directory")
        }
        let flags = effective(flags)
        var succeeded = true
        for match in found.matches {
            guard !connectionLost else { return false }
            if case .failure(let error) = SFTPLocalFiles.status(match.path) {
                failure("stat \(match.path): \(error.text)")
                succeeded = false
                continue
            }
            let name = Self.baseName(match.path)
            let remote: String
            if let target {
                remote = found.matchCount == 1 && !targetIsDirectory ? target : Self.append(target, name)
            } else {
                remote = absolute(name)
            }
            if !settings.quiet {
                console.print("\(flags.resume ? "Resuming upload of" : "Uploading") \(match.path) to \(remote)")
            }
            let done: Bool
            if match.path.hasSuffix("/") && flags.recursive {
                done = await uploadDirectory(match.path, to: remote, flags)
            } else {
                done = await uploadFile(match.path, to: remote, flags)
            }
            if !done { succeeded = false }
        }
        return succeeded
    }

    /// One file up (`do_upload`).
    func uploadFile(_ local: String, to remote: String, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let resume = flags.resume
        let descriptor = open(local, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return failure("open local \"\(local)\": \(SFTPLocalFiles.errorText(errno))")
        }
        var info = stat()
        let statusResult = fstat(descriptor, &info)
        let statusError = errno
        close(descriptor)
        guard statusResult == 0 else {
            return failure("fstat local \"\(local)\": \(SFTPLocalFiles.errorText(statusError))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return failure("local \"\(local)\" is not a regular file") }
        let mode = UInt32(info.st_mode) & 0o777
        let size = UInt64(max(0, info.st_size))
        var start: UInt64 = 0
        if resume {
            do {
                start = try await client.stat(remote).size ?? 0
            } catch {
                return failure("stat remote", error)
            }
            if start >= size { return failure("resume \"\(local)\": destination file same size or larger") }
        }
        // Created with the local permission bits, as OpenSSH's OPEN asks; an existing file keeps its own.
        do {
            let handle = try await client.openHandle(
                remote, flags: [.write, .create], attributes: SFTPAttributes(permissions: mode))
            try await client.closeHandle(handle)
        } catch {
            return failure("dest open \"\(remote)\"", error)
        }
        let meter =
            settings.showProgress ? SFTPProgressMeter(name: local, total: size, offset: start, console: console) : nil
        let options = transferOptions(flags) { progress in meter?.update(progress) }
        do {
            try await client.put(local, to: remote, options: options)
            meter?.finish()
        } catch {
            meter?.finish()
            return failure("write remote \"\(remote)\"", error)
        }
        if flags.preserve, UInt32(info.st_mode) & 0o7000 != 0 { try? await client.chmod(remote, mode: mode) }
        return true
    }

    /// A directory tree up (`upload_dir`): "Entering" for each directory, links and special files left out
    /// with a notice.
    func uploadDirectory(_ local: String, to remote: String, _ flags: SFTPShellCommand.TransferFlags) async -> Bool {
        let canonical: String
        do {
            canonical = try await client.realpath(remote)
        } catch {
            if SFTPErrorText.isConnectionLost(error) { return failure("", error) }
            return failure("upload \"\(remote)\": path canonicalization failed")
        }
        var root = local
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        guard SFTPLocalFiles.isDirectory(root) else { return failure("\"\(local)\" is not a directory") }
        var whole = flags
        whole.resume = false
        var options = transferOptions(whole, progress: nil)
        options.symbolicLinks = .skip
        let console = self.console
        options.treeEvents = { [root] event in
            switch event {
            case .enteringDirectory(let path): console.print("Entering \(path == root ? local : path)")
            case .skipped(let path): console.error("\(SFTPShell.baseName(path)): not a regular file")
            }
        }
        do {
            try await client.putDirectory(root, to: canonical, options: options)
        } catch {
            return failure("upload \"\(local)\" to \"\(canonical)\"", error)
        }
        return true
    }

    // MARK: Options

    /// Transfer options with the shell's request count and block size.
    /// `flags` with the session's own (`sftp -a`, `-f`, `-p`, `-r`) added.
    func effective(_ flags: SFTPShellCommand.TransferFlags) -> SFTPShellCommand.TransferFlags {
        var flags = flags
        flags.resume = flags.resume || settings.resume
        flags.preserve = flags.preserve || settings.preserve
        flags.recursive = flags.recursive || settings.recursive
        flags.fsync = flags.fsync || settings.fsync
        return flags
    }

    func transferOptions(
        _ flags: SFTPShellCommand.TransferFlags, progress: (@Sendable (SFTPTransferProgress) -> Void)?
    ) -> SFTPTransferOptions {
        var options = SFTPTransferOptions(progress: progress, resume: flags.resume, preserveAttributes: flags.preserve)
        options.flushToDisk = flags.fsync
        options.requestsInFlight = settings.requestsInFlight
        options.blockSize = settings.blockSize
        options.bandwidthLimit = settings.bandwidthLimit
        return options
    }
}
