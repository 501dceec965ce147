import NIOCore
import SSHWire

/// An SFTP version 3 client (draft-ietf-secsh-filexfer-02) with OpenSSH's extensions (PROTOCOL §4), over
/// any ``SFTPByteStream``: an SSH `sftp` subsystem channel, a subprocess's pipes or an in-memory pair.
///
/// Like paramiko's `SFTPClient` it keeps a working directory (``chdir(_:)``, ``getcwd()``) against which
/// relative paths are resolved. Requests are pipelined: calls from many tasks share the session, and
/// transfers keep ``SFTPClientOptions/maximumRequestsInFlight`` requests outstanding. Every method throws
/// ``SFTPError``.
public final class SFTPClient: Sendable {
    /// The version the server answered with (§4); this client speaks 3.
    public let serverVersion: UInt32
    /// The extensions the server announced in VERSION (§4), with their data (OpenSSH: a version number).
    public let serverExtensions: [SFTPExtensionPair]
    /// The server's `limits@openssh.com` (PROTOCOL §4.8), when it announces them.
    public let limits: SFTPLimits?
    /// The options this client was made with.
    public let options: SFTPClientOptions

    let channel: SFTPClientChannel
    private let workingDirectory = Locked<String?>(nil)

    private init(
        channel: SFTPClientChannel, version: UInt32, extensions: [SFTPExtensionPair], limits: SFTPLimits?,
        options: SFTPClientOptions
    ) {
        self.channel = channel
        self.serverVersion = version
        self.serverExtensions = extensions
        self.limits = limits
        self.options = options
    }

    /// Opens a session over `stream`: sends INIT, reads VERSION (§4) and, when announced, asks for
    /// `limits@openssh.com`. A server answering below version 3 is refused; one answering above 3 is
    /// spoken to in version 3, as OpenSSH's client does.
    public static func connect(over stream: SFTPByteStream, options: SFTPClientOptions = .init()) async throws
        -> SFTPClient
    {
        let channel = SFTPClientChannel(stream: stream)
        let (version, extensions) = try await channel.start(extensions: [])
        guard version >= 3 else {
            await channel.close()
            throw SFTPError(.operationUnsupported, "the server speaks SFTP version \(version), not 3")
        }
        var limits: SFTPLimits?
        if extensions.contains(where: { $0.name == SFTPExtensionName.limits }) {
            // A server that announces limits but cannot give them is used with the defaults.
            let reply = try await channel.send(.extended(.limits))
            limits = try? Self.decodeReply(reply, as: SFTPLimits.init(decoding:))
        }
        return SFTPClient(channel: channel, version: version, extensions: extensions, limits: limits, options: options)
    }

    /// Ends the session: no more requests are sent and the outbound stream is finished. Always call it: over
    /// a pipe the session keeps a writer thread until then.
    public func close() async {
        await channel.close()
    }

    /// True when the server announced extension `name` in VERSION (PROTOCOL §4).
    public func supports(_ name: String) -> Bool {
        serverExtensions.contains { $0.name == name }
    }

    // MARK: Working directory (paramiko's chdir/getcwd)

    /// The working directory, or nil when none was set (paths then go to the server as given).
    public func getcwd() -> String? {
        workingDirectory.withLock { $0 }
    }

    /// Changes the working directory to `path`, resolved against the current one and canonicalised by the
    /// server (REALPATH, §6.11); nil forgets it. Throws unless `path` is a directory.
    public func chdir(_ path: String?) async throws {
        guard let path else {
            workingDirectory.withLock { $0 = nil }
            return
        }
        let attributes = try await stat(path)
        guard attributes.isDirectory else { throw SFTPError(.failure, "\(path): not a directory") }
        let resolved = try await realpath(path)
        workingDirectory.withLock { $0 = resolved }
    }

    /// `path` resolved against the working directory (paramiko's `_adjust_cwd`).
    public func absolutePath(_ path: String) -> String {
        guard let cwd = getcwd(), !path.hasPrefix("/") else { return path }
        if path.isEmpty || path == "." { return cwd }
        return cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
    }

    // MARK: Requests

    /// Sends `request` and returns its response, whatever it is.
    public func send(_ request: SFTPRequest) async throws -> SFTPResponse {
        try await channel.send(request)
    }

    /// Sends a request answered by STATUS; throws unless it is OK.
    func sendExpectingOK(_ request: SFTPRequest) async throws {
        try Self.expectOK(try await channel.send(request))
    }

    /// Sends a request answered by ATTRS.
    func sendExpectingAttributes(_ request: SFTPRequest) async throws -> SFTPAttributes {
        switch try await channel.send(request) {
        case .attributes(let attributes): return attributes
        case let other: throw Self.unexpected(other, for: request)
        }
    }

    /// Sends a request answered by HANDLE.
    func sendExpectingHandle(_ request: SFTPRequest) async throws -> SFTPHandle {
        switch try await channel.send(request) {
        case .handle(let handle): return handle
        case let other: throw Self.unexpected(other, for: request)
        }
    }

    /// Sends a request answered by NAME with exactly one entry (REALPATH, READLINK, expand-path).
    func sendExpectingOneName(_ request: SFTPRequest) async throws -> SFTPNameEntry {
        switch try await channel.send(request) {
        case .name(let entries) where entries.count == 1: return entries[0]
        case .name(let entries): throw SFTPError(.badMessage, "NAME with \(entries.count) entries, not 1")
        case let other: throw Self.unexpected(other, for: request)
        }
    }

    /// Sends an extended request answered by EXTENDED_REPLY and decodes the reply.
    func sendExtended<Reply>(
        _ request: SFTPExtendedRequest, decode: (ByteBuffer) throws(WireError) -> Reply
    ) async throws -> Reply {
        try requireExtension(request.name)
        return try Self.decodeReply(try await channel.send(.extended(request)), as: decode)
    }

    /// Throws OP_UNSUPPORTED unless the server announced `name`.
    func requireExtension(_ name: String) throws {
        guard supports(name) else {
            throw SFTPError(.operationUnsupported, "the server does not announce \(name)")
        }
    }

    static func decodeReply<Reply>(_ response: SFTPResponse, as decode: (ByteBuffer) throws(WireError) -> Reply)
        throws -> Reply
    {
        switch response {
        case .extendedReply(let data):
            do throws(WireError) { return try decode(data) } catch { throw SFTPError(error) }
        case .status(let status): throw SFTPError(status: status)
        default: throw SFTPError(.badMessage, "\(response.packetType) where EXTENDED_REPLY was expected")
        }
    }

    static func expectOK(_ response: SFTPResponse) throws {
        guard case .status(let status) = response else {
            throw SFTPError(.badMessage, "\(response.packetType) where STATUS was expected")
        }
        guard status.code == .ok else { throw SFTPError(status: status) }
    }

    static func unexpected(_ response: SFTPResponse, for request: SFTPRequest) -> SFTPError {
        if case .status(let status) = response { return SFTPError(status: status) }
        return SFTPError(.badMessage, "\(response.packetType) in answer to \(request.packetType)")
    }
}
