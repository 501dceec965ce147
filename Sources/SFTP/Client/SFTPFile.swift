import NIOCore

/// An open remote file with a position, read-ahead and write-behind buffers: paramiko's `SFTPFile`
/// (draft-ietf-secsh-filexfer-02 §6.3, §6.4).
///
/// Reads fetch at least one block and keep the rest for the next read; large reads are pipelined. Writes
/// collect into blocks that go out as pipelined WRITEs without waiting; ``flush()``, ``seek(_:from:)``,
/// ``stat()`` and ``close()`` wait for their acknowledgements and throw the first failure. Always ``close()``.
public actor SFTPFile {
    /// Where ``seek(_:from:)`` counts from.
    public enum SeekOrigin: Sendable {
        case start, current, end
    }

    /// The client this file belongs to.
    public nonisolated let client: SFTPClient
    /// The server's handle.
    public nonisolated let handle: SFTPHandle
    /// The path it was opened with.
    public nonisolated let path: String

    private var position: UInt64 = 0
    private var readBuffer = ByteBuffer()
    private var readBufferOffset: UInt64 = 0
    private var writeBuffer = ByteBuffer()
    private var writeBufferOffset: UInt64 = 0
    private var pendingWrites: [Task<SFTPResponse, any Error>] = []
    private var reachedEnd = false
    private var closed = false
    private let blockSize: Int
    private let writeBlockSize: Int
    private let window: Int

    init(client: SFTPClient, handle: SFTPHandle, path: String, append: UInt64?) {
        self.client = client
        self.handle = handle
        self.path = path
        self.blockSize = client.readBlockSize(SFTPTransferOptions())
        self.writeBlockSize = client.writeBlockSize(SFTPTransferOptions())
        self.window = client.window(SFTPTransferOptions())
        if let append { position = append }
    }

    /// The current position (paramiko's `tell`).
    public func tell() -> UInt64 { position }

    // MARK: Reading

    /// Up to `count` bytes from the current position; fewer only at the end of the file, none after it.
    public func read(upTo count: Int) async throws -> ByteBuffer {
        try await flushWrites()
        var result = ByteBuffer()
        var wanted = count
        while wanted > 0 {
            if let cached = takeBuffered(wanted) {
                wanted -= cached.readableBytes
                result.writeImmutableBuffer(cached)
                continue
            }
            if reachedEnd { break }
            try await fill(atLeast: wanted)
            if readBuffer.readableBytes == 0 { break }
        }
        return result
    }

    /// Everything from the current position to the end of the file.
    public func readAll() async throws -> ByteBuffer {
        try await flushWrites()
        var result = ByteBuffer()
        if let cached = takeBuffered(Int.max) { result.writeImmutableBuffer(cached) }
        let size = try await client.fstat(handle).size
        let length = size.map { $0 > position ? $0 - position : 0 }
        let got = try await client.readInOrder(
            handle, from: position, length: length, blockSize: blockSize, window: window
        ) { chunk, _ in result.writeImmutableBuffer(chunk) }
        position += got
        dropReadBuffer()
        return result
    }

    /// The next line, or nil at the end of the file. Lines end at `\n`; the newline is removed when
    /// `strippingNewline` is true, as Swift's `readLine` does.
    public func readLine(strippingNewline: Bool = true) async throws -> String? {
        try await flushWrites()
        var line = ByteBuffer()
        while true {
            if readBuffer.readableBytes > 0, readBufferOffset == position {
                let view = readBuffer.readableBytesView
                if let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
                    let length = newline - view.startIndex + 1
                    if var piece = takeBuffered(length) {
                        if strippingNewline { piece.moveWriterIndex(to: piece.writerIndex - 1) }
                        line.writeImmutableBuffer(piece)
                    }
                    return String(buffer: line)
                }
                if let rest = takeBuffered(Int.max) { line.writeImmutableBuffer(rest) }
            }
            if reachedEnd { return line.readableBytes > 0 ? String(buffer: line) : nil }
            try await fill(atLeast: blockSize)
            if readBuffer.readableBytes == 0 && reachedEnd {
                return line.readableBytes > 0 ? String(buffer: line) : nil
            }
        }
    }

    /// Takes up to `count` buffered bytes at the current position.
    private func takeBuffered(_ count: Int) -> ByteBuffer? {
        guard readBuffer.readableBytes > 0, readBufferOffset == position else { return nil }
        let length = min(count, readBuffer.readableBytes)
        guard let slice = readBuffer.readSlice(length: length) else { return nil }
        readBufferOffset += UInt64(length)
        position += UInt64(length)
        return slice
    }

    /// Reads at least `count` bytes (or one block) at the current position into the read buffer.
    private func fill(atLeast count: Int) async throws {
        let length = UInt64(max(count, blockSize))
        var fetched = ByteBuffer()
        let got = try await client.readInOrder(
            handle, from: position, length: length, blockSize: blockSize, window: window
        ) { chunk, _ in fetched.writeImmutableBuffer(chunk) }
        readBuffer = fetched
        readBufferOffset = position
        if got < length { reachedEnd = true }
    }

    // MARK: Writing

    /// Writes `bytes` at the current position. Full blocks go out at once as pipelined WRITEs; the rest
    /// waits for more bytes, ``flush()`` or ``close()``.
    public func write(_ bytes: ByteBuffer) async throws {
        if readBuffer.readableBytes > 0 { dropReadBuffer() }
        if writeBuffer.readableBytes == 0 { writeBufferOffset = position }
        if writeBufferOffset + UInt64(writeBuffer.readableBytes) != position { try await flushWrites() }
        if writeBuffer.readableBytes == 0 { writeBufferOffset = position }
        writeBuffer.writeImmutableBuffer(bytes)
        position += UInt64(bytes.readableBytes)
        while writeBuffer.readableBytes >= writeBlockSize, let block = writeBuffer.readSlice(length: writeBlockSize) {
            try await sendWrite(block)
        }
        if writeBuffer.readableBytes == 0 { writeBuffer.clear() }
    }

    /// Writes the UTF-8 of `text`.
    public func write(_ text: String) async throws {
        try await write(ByteBuffer(string: text))
    }

    /// Sends one WRITE without waiting, keeping at most the client's window outstanding.
    private func sendWrite(_ block: ByteBuffer) async throws {
        let request = SFTPRequest.write(handle: handle, offset: writeBufferOffset, data: block)
        writeBufferOffset += UInt64(block.readableBytes)
        let client = self.client
        pendingWrites.append(Task { try await client.send(request) })
        if pendingWrites.count >= window {
            let first = pendingWrites.removeFirst()
            try SFTPClient.expectOK(try await first.value)
        }
    }

    /// Sends what is buffered and waits until every WRITE is acknowledged.
    private func flushWrites() async throws {
        if writeBuffer.readableBytes > 0 {
            let rest = writeBuffer
            writeBuffer = ByteBuffer()
            try await sendWrite(rest)
        }
        let pending = pendingWrites
        pendingWrites = []
        var failure: (any Error)?
        for task in pending {
            do { try SFTPClient.expectOK(try await task.value) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Writes everything buffered and waits for the server to acknowledge it.
    public func flush() async throws {
        try await flushWrites()
    }

    private func dropReadBuffer() {
        readBuffer = ByteBuffer()
        readBufferOffset = position
        reachedEnd = false
    }

    // MARK: Position and attributes

    /// Moves the position (paramiko's `seek`); returns the new position.
    @discardableResult
    public func seek(_ offset: Int64, from origin: SeekOrigin = .start) async throws -> UInt64 {
        try await flushWrites()
        let base: Int64
        switch origin {
        case .start: base = 0
        case .current: base = Int64(clamping: position)
        case .end: base = Int64(clamping: try await client.fstat(handle).size ?? 0)
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0 else { throw SFTPError(.invalidArgument, "seek to a negative position") }
        position = UInt64(target)
        if position < readBufferOffset || position > readBufferOffset + UInt64(readBuffer.readableBytes) {
            dropReadBuffer()
        } else {
            readBuffer.moveReaderIndex(forwardBy: Int(position - readBufferOffset))
            readBufferOffset = position
        }
        return position
    }

    /// The file's attributes (FSTAT, §6.8), after pending writes.
    public func stat() async throws -> SFTPAttributes {
        try await flushWrites()
        return try await client.fstat(handle)
    }

    /// Sets the file's size (FSETSTAT, §6.9).
    public func truncate(_ size: UInt64) async throws {
        try await flushWrites()
        dropReadBuffer()
        try await client.fsetstat(handle, SFTPAttributes(size: size))
    }

    /// Sets the permission bits (FSETSTAT, §6.9).
    public func chmod(_ mode: UInt32) async throws {
        try await client.fsetstat(handle, SFTPAttributes(permissions: mode))
    }

    /// Sets the owner and group (FSETSTAT, §6.9).
    public func chown(uid: UInt32, gid: UInt32) async throws {
        try await client.fsetstat(handle, SFTPAttributes(uid: uid, gid: gid))
    }

    /// Sets the access and modification times (FSETSTAT, §6.9).
    public func utime(accessTime: UInt32, modificationTime: UInt32) async throws {
        try await client.fsetstat(handle, SFTPAttributes(accessTime: accessTime, modificationTime: modificationTime))
    }

    /// Writes pending data and asks the server to fsync (`fsync@openssh.com`, PROTOCOL §4.6).
    public func fsync() async throws {
        try await flushWrites()
        try await client.fsync(handle)
    }

    /// Writes pending data, waits for it and closes the handle (CLOSE, §6.3). Throws if any of it failed.
    public func close() async throws {
        guard !closed else { return }
        closed = true
        var failure: (any Error)?
        do { try await flushWrites() } catch { failure = error }
        do { try await client.closeHandle(handle) } catch { failure = failure ?? error }
        if let failure { throw failure }
    }
}

extension SFTPClient {
    /// Opens `path` as an ``SFTPFile`` (OPEN, §6.3). With `.append` the position starts at the end.
    public func open(_ path: String, flags: SFTPOpenFlags = .read, attributes: SFTPAttributes = .none) async throws
        -> SFTPFile
    {
        let handle = try await openHandle(path, flags: flags, attributes: attributes)
        var start: UInt64?
        if flags.contains(.append) { start = try? await fstat(handle).size }
        return SFTPFile(client: self, handle: handle, path: absolutePath(path), append: start)
    }

    /// Opens `path` with a Python-style mode (`"r"`, `"w"`, `"a"`, `"x"`, each with an optional `+`), as
    /// paramiko's `open` does.
    public func open(_ path: String, mode: String, attributes: SFTPAttributes = .none) async throws -> SFTPFile {
        guard let flags = SFTPOpenFlags(mode: mode) else {
            throw SFTPError(.invalidArgument, "unknown open mode \(mode)")
        }
        return try await open(path, flags: flags, attributes: attributes)
    }
}
