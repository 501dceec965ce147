import NIOCore
import SSHWire

/// One client's session: its handles and the dispatch of each request to the file system
/// (draft-ietf-secsh-filexfer-02 §6, OpenSSH PROTOCOL §4). Used by one task at a time.
final class SFTPServerSession: @unchecked Sendable {
    private enum OpenHandle {
        case file(any SFTPFileHandle)
        case directory(any SFTPDirectoryHandle)
    }

    let outbox: SFTPOutbox
    private let server: SFTPServer
    private var fileSystem: any SFTPFileSystem { server.fileSystem }
    private var handles: [UInt32: OpenHandle] = [:]
    private var nextHandle: UInt32 = 0
    private var initialized = false

    init(server: SFTPServer, outbox: SFTPOutbox) {
        self.server = server
        self.outbox = outbox
    }

    /// Answers one frame. INIT must come first (§4); a request that does not decode is answered
    /// BAD_MESSAGE when its id can be read, and ends the session otherwise.
    func handle(_ frame: ByteBuffer) async throws {
        let packet: SFTPPacket
        do throws(WireError) {
            packet = try SFTPPacket(decoding: frame)
        } catch {
            guard initialized, let id = SFTPPacket.requestID(ofBody: frame) else { throw SFTPError(error) }
            try outbox.send(.response(id: id, .status(SFTPError(error).status)))
            return
        }
        switch packet {
        case .initialize:
            guard !initialized else { throw SFTPError(.badMessage, "a second INIT") }
            initialized = true
            try outbox.send(.version(version: SFTPPacket.protocolVersion, extensions: server.announcedExtensions))
        case .request(let id, let request):
            guard initialized else { throw SFTPError(.badMessage, "\(request.packetType) before INIT") }
            let response: SFTPResponse
            do {
                response = try await respond(to: request)
            } catch let error as SFTPError {
                response = .status(error.status)
            } catch {
                response = .status(SFTPStatus(code: .failure, message: "\(error)"))
            }
            try outbox.send(.response(id: id, response))
            try await outbox.waitForRoom()
        case .version, .response:
            throw SFTPError(.badMessage, "the client sent \(packet.packetType), a server's packet")
        }
    }

    /// Closes every handle still open (the client's EOF).
    func closeAll() async {
        let open = handles.values
        handles = [:]
        for handle in open {
            switch handle {
            case .file(let file): try? await file.close()
            case .directory(let directory): try? await directory.close()
            }
        }
    }

    private static let ok = SFTPResponse.status(.success)

    private func respond(to request: SFTPRequest) async throws -> SFTPResponse {
        switch request {
        case .open(let path, let flags, let attributes):
            try checkHandleRoom()
            return .handle(store(.file(try await fileSystem.open(path, flags: flags, attributes: attributes))))
        case .opendir(let path):
            try checkHandleRoom()
            return .handle(store(.directory(try await fileSystem.openDirectory(path))))
        case .close(let handle):
            switch try take(handle) {
            case .file(let file): try await file.close()
            case .directory(let directory): try await directory.close()
            }
            return Self.ok
        case .read(let handle, let offset, let length):
            let data = try await file(handle).read(
                at: offset, length: min(Int(length), server.options.maximumReadLength))
            return data.readableBytes == 0 ? .status(SFTPStatus(code: .endOfFile, message: "End of file")) : .data(data)
        case .write(let handle, let offset, let data):
            try await file(handle).write(data, at: offset)
            return Self.ok
        case .readdir(let handle):
            guard case .directory(let directory)? = handles[try key(handle)] else {
                throw SFTPError(.failure, "READDIR on a handle that is not an open directory")
            }
            guard let entries = try await directory.nextEntries() else {
                return .status(SFTPStatus(code: .endOfFile, message: "End of file"))
            }
            return .name(entries)
        case .fstat(let handle):
            return .attributes(try await file(handle).stat())
        case .fsetstat(let handle, let attributes):
            try await file(handle).setAttributes(attributes)
            return Self.ok
        case .stat(let path):
            return .attributes(try await fileSystem.stat(path))
        case .lstat(let path):
            return .attributes(try await fileSystem.lstat(path))
        case .setstat(let path, let attributes):
            try await fileSystem.setAttributes(path, attributes, followingLinks: true)
            return Self.ok
        case .remove(let path):
            try await fileSystem.remove(path)
            return Self.ok
        case .mkdir(let path, let attributes):
            try await fileSystem.makeDirectory(path, attributes: attributes)
            return Self.ok
        case .rmdir(let path):
            try await fileSystem.removeDirectory(path)
            return Self.ok
        case .realpath(let path):
            return Self.singleName(try await fileSystem.canonicalPath(path))
        case .rename(let oldPath, let newPath):
            try await fileSystem.rename(oldPath, to: newPath, replacing: false)
            return Self.ok
        case .readlink(let path):
            return Self.singleName(try await fileSystem.readLink(path))
        case .symlink(let first, let second):
            // OpenSSH's order, target first (PROTOCOL §4.1), unless the options say the client keeps the draft's.
            let (target, linkPath) = server.options.symlinkTargetFirst ? (first, second) : (second, first)
            try await fileSystem.makeSymbolicLink(target: target, at: linkPath)
            return Self.ok
        case .extended(let extended):
            return try await respond(to: extended)
        }
    }

    private func respond(to request: SFTPExtendedRequest) async throws -> SFTPResponse {
        let supported = fileSystem.extensions
        func require(_ name: String) throws {
            guard supported.contains(name) else { throw SFTPError(.operationUnsupported, "\(name) is not supported") }
        }
        switch request {
        case .limits:
            let options = server.options
            return .extendedReply(
                SFTPLimits(
                    maximumPacketLength: UInt64(SFTPPacket.maximumFrameLength),
                    maximumReadLength: UInt64(options.maximumReadLength),
                    maximumWriteLength: UInt64(options.maximumWriteLength),
                    maximumOpenHandles: UInt64(options.maximumOpenHandles)
                ).encoded())
        case .copyData(let source, let sourceOffset, let length, let destination, let destinationOffset):
            try await copyData(source, sourceOffset, length, destination, destinationOffset)
            return Self.ok
        case .posixRename(let oldPath, let newPath):
            try require(request.name)
            try await fileSystem.rename(oldPath, to: newPath, replacing: true)
            return Self.ok
        case .statvfs(let path):
            try require(request.name)
            return .extendedReply(try await fileSystem.fileSystemStats(path).encoded())
        case .fstatvfs(let handle):
            try require(request.name)
            return .extendedReply(try await file(handle).fileSystemStats().encoded())
        case .hardlink(let oldPath, let newPath):
            try require(request.name)
            try await fileSystem.makeHardLink(to: oldPath, at: newPath)
            return Self.ok
        case .fsync(let handle):
            try require(request.name)
            try await file(handle).sync()
            return Self.ok
        case .lsetstat(let path, let attributes):
            try require(request.name)
            try await fileSystem.setAttributes(path, attributes, followingLinks: false)
            return Self.ok
        case .expandPath(let path):
            try require(request.name)
            return Self.singleName(try await fileSystem.expandPath(path))
        case .homeDirectory(let username):
            try require(request.name)
            return Self.singleName(try await fileSystem.homeDirectory(of: username))
        case .usersGroupsByID(let uids, let gids):
            try require(request.name)
            return .extendedReply(try await fileSystem.names(uids: uids, gids: gids).encoded())
        case .other:
            return try await fileSystem.extended(request)
        }
    }

    /// `copy-data` (PROTOCOL §4.10) over the file handles' own read and write.
    private func copyData(
        _ source: SFTPHandle, _ sourceOffset: UInt64, _ length: UInt64, _ destination: SFTPHandle,
        _ destinationOffset: UInt64
    ) async throws {
        let reader = try file(source)
        let writer = try file(destination)
        if source == destination,
            length == 0 || (sourceOffset < destinationOffset &+ length && destinationOffset < sourceOffset &+ length)
        {
            throw SFTPError(.failure, "copy-data: overlapping ranges of one file")
        }
        var copied: UInt64 = 0
        while length == 0 || copied < length {
            let block = UInt64(server.options.maximumReadLength)
            let wanted = Int(length == 0 ? block : min(block, length - copied))
            let (readAt, readOverflow) = sourceOffset.addingReportingOverflow(copied)
            let (writeAt, writeOverflow) = destinationOffset.addingReportingOverflow(copied)
            guard !readOverflow, !writeOverflow else { throw SFTPError(.badMessage, "copy-data: offsets overflow") }
            let data = try await reader.read(at: readAt, length: wanted)
            if data.readableBytes == 0 {
                guard length == 0 else { throw SFTPError(.endOfFile, "copy-data: the source ended early") }
                return
            }
            try await writer.write(data, at: writeAt)
            copied += UInt64(data.readableBytes)
        }
    }

    private static func singleName(_ path: String) -> SFTPResponse {
        .name([SFTPNameEntry(filename: path, longname: path)])
    }

    // MARK: Handles

    private func checkHandleRoom() throws {
        guard handles.count < server.options.maximumOpenHandles else {
            throw SFTPError(.failure, "too many open handles (\(server.options.maximumOpenHandles))")
        }
    }

    private func store(_ handle: OpenHandle) -> SFTPHandle {
        while handles[nextHandle] != nil { nextHandle &+= 1 }
        let key = nextHandle
        nextHandle &+= 1
        handles[key] = handle
        var bytes = ByteBuffer()
        bytes.writeInteger(key)
        // Four bytes are always within the 256-byte limit.
        guard let handle = SFTPHandle(bytes: bytes) else { preconditionFailure("a 4-byte handle is valid") }
        return handle
    }

    private func key(_ handle: SFTPHandle) throws -> UInt32 {
        let bytes = handle.bytes
        guard bytes.readableBytes == 4, let key = bytes.getInteger(at: bytes.readerIndex, as: UInt32.self),
            handles[key] != nil
        else { throw SFTPError(.failure, "no such handle") }
        return key
    }

    private func take(_ handle: SFTPHandle) throws -> OpenHandle {
        let key = try key(handle)
        guard let open = handles.removeValue(forKey: key) else { throw SFTPError(.failure, "no such handle") }
        return open
    }

    private func file(_ handle: SFTPHandle) throws -> any SFTPFileHandle {
        guard case .file(let file)? = handles[try key(handle)] else {
            throw SFTPError(.failure, "a handle that is not an open file")
        }
        return file
    }
}
