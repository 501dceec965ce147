import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whole-file transfers, pipelined (draft-ietf-secsh-filexfer-02 §6.4) with blocks sized from
/// `limits@openssh.com` (OpenSSH PROTOCOL §4.8): paramiko's `get`, `put`, `getfo`, `putfo`.
extension SFTPClient {
    /// The READ size for `options`: the server's `max-read-length`, else 32 KiB, never over 255 KiB.
    func readBlockSize(_ options: SFTPTransferOptions) -> Int {
        blockSize(options, limit: limits?.maximumReadLength)
    }

    /// The WRITE size for `options`: the server's `max-write-length`, else 32 KiB, never over 255 KiB.
    func writeBlockSize(_ options: SFTPTransferOptions) -> Int {
        blockSize(options, limit: limits?.maximumWriteLength)
    }

    private func blockSize(_ options: SFTPTransferOptions, limit: UInt64?) -> Int {
        var size = options.blockSize ?? limit.map { Int(clamping: $0) } ?? self.options.defaultBlockSize
        if size <= 0 { size = self.options.defaultBlockSize }
        if let limit, limit > 0 { size = min(size, Int(clamping: limit)) }
        // A READ's DATA or a WRITE must fit the server's packet limit with room for the other fields.
        if let packet = limits?.maximumPacketLength, packet > 1024 { size = min(size, Int(clamping: packet - 1024)) }
        return max(1, min(size, self.options.maximumBlockSize))
    }

    func window(_ options: SFTPTransferOptions) -> Int {
        max(1, options.requestsInFlight ?? self.options.maximumRequestsInFlight)
    }

    // MARK: Files

    /// Downloads `remotePath` to the local file `localPath` and returns its size.
    ///
    /// Truncates the local file, unless ``SFTPTransferOptions/resume`` continues from its current size. Ends
    /// with a byte-count check against the remote file's size (``SFTPError/Code/sizeMismatch``).
    @discardableResult
    public func get(_ remotePath: String, to localPath: String, options: SFTPTransferOptions = .init())
        async throws -> UInt64
    {
        let flags = O_WRONLY | O_CREAT | (options.resume ? 0 : O_TRUNC)
        let local = try LocalDescriptor.open(localPath, flags: flags)
        defer { local.close() }
        return try await download(remotePath, into: local, options: options)
    }

    /// Downloads `remotePath` into an open local descriptor.
    func download(_ remotePath: String, into local: LocalDescriptor, options: SFTPTransferOptions) async throws
        -> UInt64
    {
        try await withHandle(remotePath, flags: .read) { handle in
            let attributes = try await fstat(handle)
            let start = options.resume ? UInt64(max(0, try local.status().st_size)) : 0
            if let size = attributes.size, start > size {
                throw SFTPError(.sizeMismatch, "local file of \(start) bytes is longer than \(remotePath) (\(size))")
            }
            let engine = SFTPDownload(
                plan(handle, from: start, to: attributes.size, blockSize: readBlockSize(options), options), into: local)
            let total = start + (try await engine.run())
            let expected = attributes.size ?? engine.endOfFile ?? total
            guard total == expected, (engine.endOfFile ?? .max) >= expected else {
                throw SFTPError(.sizeMismatch, "got \(total) bytes of \(remotePath), expected \(expected)")
            }
            if options.preserveAttributes { try local.setAttributes(attributes.permissionsAndTimes) }
            if options.flushToDisk { try local.sync() }
            return total
        }
    }

    /// Uploads the local file `localPath` to `remotePath` and returns its size.
    ///
    /// Truncates the remote file, unless ``SFTPTransferOptions/resume`` continues from its current size.
    /// Succeeds only when every WRITE was acknowledged, the remote size equals the local size and CLOSE
    /// succeeded: a failed upload is never reported as complete.
    @discardableResult
    public func put(_ localPath: String, to remotePath: String, options: SFTPTransferOptions = .init())
        async throws -> UInt64
    {
        let local = try LocalDescriptor.open(localPath, flags: O_RDONLY)
        defer { local.close() }
        return try await upload(local, to: remotePath, options: options)
    }

    /// Uploads an open local descriptor to `remotePath`.
    func upload(_ local: LocalDescriptor, to remotePath: String, options: SFTPTransferOptions) async throws -> UInt64 {
        let info = try local.status()
        let size = UInt64(max(0, info.st_size))
        let flags: SFTPOpenFlags = options.resume ? [.write, .create] : [.write, .create, .truncate]
        return try await withHandle(remotePath, flags: flags) { handle in
            let start = options.resume ? (try await fstat(handle).size ?? 0) : 0
            guard start <= size else {
                throw SFTPError(.sizeMismatch, "\(remotePath) (\(start) bytes) is longer than local \(local.path)")
            }
            let engine = SFTPUpload(
                plan(handle, from: start, to: size, blockSize: writeBlockSize(options), options), from: local)
            _ = try await engine.run()
            if options.flushToDisk && supports(SFTPExtensionName.fsync) { try await fsync(handle) }
            try await checkUpload(
                handle, remotePath: remotePath, expected: size,
                preserving: options.preserveAttributes ? SFTPAttributes(info).permissionsAndTimes : nil)
            return size
        }
    }

    /// Opens `path`, runs `body` with the handle and closes it; a failed CLOSE fails the whole call.
    func withHandle<Value>(_ path: String, flags: SFTPOpenFlags, _ body: (SFTPHandle) async throws -> Value)
        async throws -> Value
    {
        let handle = try await openHandle(path, flags: flags)
        let value: Value
        do {
            value = try await body(handle)
        } catch {
            try? await closeHandle(handle)
            throw error
        }
        try await closeHandle(handle)
        return value
    }

    private func plan(
        _ handle: SFTPHandle, from start: UInt64, to end: UInt64?, blockSize: Int, _ options: SFTPTransferOptions
    ) -> SFTPTransferPlan {
        SFTPTransferPlan(
            channel: channel, handle: handle, from: start, to: end, blockSize: blockSize, window: window(options),
            meter: ProgressMeter(total: end, report: options.progress), limit: options.bandwidthLimit)
    }

    /// Checks the remote size after an upload and applies preserved attributes.
    private func checkUpload(
        _ handle: SFTPHandle, remotePath: String, expected: UInt64, preserving attributes: SFTPAttributes?
    ) async throws {
        let remoteSize = try await fstat(handle).size
        guard remoteSize == nil || remoteSize == expected else {
            throw SFTPError(
                .sizeMismatch, "\(remotePath) is \(remoteSize ?? 0) bytes after the upload, not \(expected)")
        }
        if let attributes { try await fsetstat(handle, attributes) }
    }

    // MARK: Streams

    /// Downloads `remotePath` in order into `sink` (paramiko's `getfo`) and returns the bytes delivered.
    ///
    /// READs stay pipelined; blocks reach `sink` one at a time, in file order.
    @discardableResult
    public func get(
        _ remotePath: String, into sink: (ByteBuffer) async throws -> Void, options: SFTPTransferOptions = .init()
    ) async throws -> UInt64 {
        try await withHandle(remotePath, flags: .read) { handle in
            let size = try await fstat(handle).size
            let meter = ProgressMeter(total: size, report: options.progress)
            let total = try await readInOrder(
                handle, from: 0, length: size, blockSize: readBlockSize(options), window: window(options)
            ) { chunk, done in
                try await sink(chunk)
                meter(done, transferredThisRun: done)
            }
            if let size, total != size {
                throw SFTPError(.sizeMismatch, "got \(total) bytes of \(remotePath), expected \(size)")
            }
            return total
        }
    }

    /// Uploads the chunks of `source` to `remotePath` (paramiko's `putfo`) and returns the bytes written.
    @discardableResult
    public func put<Source: AsyncSequence>(
        from source: Source, to remotePath: String, options: SFTPTransferOptions = .init()
    ) async throws -> UInt64 where Source.Element == ByteBuffer {
        try await withHandle(remotePath, flags: [.write, .create, .truncate]) { handle in
            let blockSize = writeBlockSize(options)
            let window = window(options)
            let meter = ProgressMeter(total: nil, report: options.progress)
            var inFlight: [(end: UInt64, response: Task<SFTPResponse, any Error>)] = []
            var head = 0
            var offset: UInt64 = 0
            let channel = self.channel
            for try await chunk in source {
                var chunk = chunk
                while chunk.readableBytes > 0, let piece = chunk.readSlice(length: min(blockSize, chunk.readableBytes))
                {
                    let request = SFTPRequest.write(handle: handle, offset: offset, data: piece)
                    offset += UInt64(piece.readableBytes)
                    inFlight.append((offset, Task { try await channel.send(request) }))
                    if inFlight.count - head >= window {
                        try Self.expectOK(try await inFlight[head].response.value)
                        meter(inFlight[head].end, transferredThisRun: inFlight[head].end)
                        head += 1
                    }
                }
            }
            for pending in inFlight[head...] { try Self.expectOK(try await pending.response.value) }
            meter(offset, transferredThisRun: offset)
            try await checkUpload(handle, remotePath: remotePath, expected: offset, preserving: nil)
            return offset
        }
    }

    /// Reads `[offset, offset + length)`, or to EOF when `length` is nil, with `window` READs in flight, and
    /// hands the bytes to `body` in file order with the running total. A short DATA is completed before
    /// anything after it is delivered. Returns the bytes read.
    func readInOrder(
        _ handle: SFTPHandle, from offset: UInt64, length: UInt64?, blockSize: Int, window: Int,
        body: (ByteBuffer, UInt64) async throws -> Void
    ) async throws -> UInt64 {
        let limit = length.map { offset + $0 } ?? .max
        var queue: [(offset: UInt64, length: UInt32, response: Task<SFTPResponse, any Error>)] = []
        var head = 0
        var next = offset
        var position = offset
        var endOfFile = false
        let channel = self.channel
        func issue() {
            while !endOfFile, queue.count - head < window, next < limit {
                let request = SFTPRequest.read(
                    handle: handle, offset: next, length: UInt32(min(UInt64(blockSize), limit - next)))
                guard case .read(_, let at, let count) = request else { return }
                queue.append((at, count, Task { try await channel.send(request) }))
                next += UInt64(count)
            }
        }
        defer {
            // Responses still outstanding are awaited by their tasks and dropped.
            queue.removeAll()
        }
        issue()
        while head < queue.count, !endOfFile {
            let (at, count, task) = queue[head]
            head += 1
            var missing = UInt64(count)
            var response = try await task.value
            while true {
                switch response {
                case .data(let data) where data.readableBytes > 0 && UInt64(data.readableBytes) <= missing:
                    position += UInt64(data.readableBytes)
                    missing -= UInt64(data.readableBytes)
                    try await body(data, position - offset)
                case .data(let data) where data.readableBytes == 0:
                    endOfFile = true
                case .status(let status) where status.code == .endOfFile:
                    endOfFile = true
                case let other:
                    throw Self.unexpected(other, for: .read(handle: handle, offset: at, length: count))
                }
                guard missing > 0, !endOfFile else { break }
                response = try await channel.send(.read(handle: handle, offset: position, length: UInt32(missing)))
            }
            issue()
        }
        return position - offset
    }
}
