import NIOCore
import SSHWire

/// One message of ssh's connection-sharing protocol (OpenSSH's PROTOCOL.mux, version 4): the
/// body that follows a message's uint32 length on the control socket, its uint32 type first.
/// ssh_config's ControlMaster and ControlPath share a connection through it.
public enum MuxMessage: Equatable, Sendable {
    /// `MUX_MSG_HELLO` (PROTOCOL.mux §1): both ends send it first.
    case hello(version: UInt32, extensions: [MuxExtension])
    /// `MUX_C_NEW_SESSION` (§2); the client's stdin, stdout and stderr follow as descriptors.
    case newSession(request: UInt32, MuxSessionRequest)
    /// `MUX_C_ALIVE_CHECK` (§4).
    case aliveCheck(request: UInt32)
    /// `MUX_C_TERMINATE` (§5).
    case terminate(request: UInt32)
    /// `MUX_C_OPEN_FWD` (§6).
    case openForward(request: UInt32, MuxForward)
    /// `MUX_C_CLOSE_FWD` (§7).
    case closeForward(request: UInt32, MuxForward)
    /// `MUX_C_NEW_STDIO_FWD` (§3); the client's stdin and stdout follow as descriptors.
    case newStdioForward(request: UInt32, host: String, port: UInt32)
    /// `MUX_C_STOP_LISTENING` (§8).
    case stopListening(request: UInt32)
    /// `MUX_C_PROXY` (§9).
    case proxy(request: UInt32)
    /// `MUX_S_OK` (§10).
    case ok(request: UInt32)
    /// `MUX_S_PERMISSION_DENIED` (§10).
    case permissionDenied(request: UInt32, reason: String)
    /// `MUX_S_FAILURE` (§10).
    case failure(request: UInt32, reason: String)
    /// `MUX_S_EXIT_MESSAGE` (§2): a session's exit status.
    case exitMessage(session: UInt32, status: UInt32)
    /// `MUX_S_ALIVE` (§4): the master's process id.
    case alive(request: UInt32, pid: UInt32)
    /// `MUX_S_SESSION_OPENED` (§2, §3).
    case sessionOpened(request: UInt32, session: UInt32)
    /// `MUX_S_REMOTE_PORT` (§6): the port the server bound for a remote forwarding of port 0.
    case remotePort(request: UInt32, port: UInt32)
    /// `MUX_S_TTY_ALLOC_FAIL` (§2).
    case ttyAllocationFailed(session: UInt32)
    /// `MUX_S_PROXY` (§9).
    case proxyOpened(request: UInt32)

    /// The protocol version this implementation speaks.
    public static let version: UInt32 = 4
    /// The largest message either end accepts, as OpenSSH's mux code limits it.
    public static let maximumLength = 256 * 1024

    /// Message type numbers (PROTOCOL.mux §11; MUX_C_PROXY and MUX_S_PROXY from OpenSSH's mux.c).
    public enum Kind: UInt32, Sendable {
        /// `MUX_MSG_HELLO`.
        case hello = 0x0000_0001
        /// `MUX_C_NEW_SESSION`.
        case newSession = 0x1000_0002
        /// `MUX_C_ALIVE_CHECK`.
        case aliveCheck = 0x1000_0004
        /// `MUX_C_TERMINATE`.
        case terminate = 0x1000_0005
        /// `MUX_C_OPEN_FWD`.
        case openForward = 0x1000_0006
        /// `MUX_C_CLOSE_FWD`.
        case closeForward = 0x1000_0007
        /// `MUX_C_NEW_STDIO_FWD`.
        case newStdioForward = 0x1000_0008
        /// `MUX_C_STOP_LISTENING`.
        case stopListening = 0x1000_0009
        /// `MUX_C_PROXY`.
        case proxy = 0x1000_000F
        /// `MUX_S_OK`.
        case ok = 0x8000_0001
        /// `MUX_S_PERMISSION_DENIED`.
        case permissionDenied = 0x8000_0002
        /// `MUX_S_FAILURE`.
        case failure = 0x8000_0003
        /// `MUX_S_EXIT_MESSAGE`.
        case exitMessage = 0x8000_0004
        /// `MUX_S_ALIVE`.
        case alive = 0x8000_0005
        /// `MUX_S_SESSION_OPENED`.
        case sessionOpened = 0x8000_0006
        /// `MUX_S_REMOTE_PORT`.
        case remotePort = 0x8000_0007
        /// `MUX_S_TTY_ALLOC_FAIL`.
        case ttyAllocationFailed = 0x8000_0008
        /// `MUX_S_PROXY`.
        case proxyOpened = 0x8000_000F
    }

    /// The body, its type first, without the length.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        switch self {
        case .hello(let version, let extensions):
            buffer.writeSSHUInt32(Kind.hello.rawValue)
            buffer.writeSSHUInt32(version)
            for item in extensions {
                buffer.writeSSHString(item.name)
                buffer.writeSSHString(item.value)
            }
        case .newSession(let request, let session):
            buffer.writeSSHUInt32(Kind.newSession.rawValue)
            buffer.writeSSHUInt32(request)
            buffer.writeSSHString("")
            // PROTOCOL.mux calls the four flags bool; OpenSSH writes and reads each as a uint32.
            for flag in [session.wantsTerminal, session.wantsX11, session.wantsAgent, session.isSubsystem] {
                buffer.writeSSHUInt32(flag ? 1 : 0)
            }
            buffer.writeSSHUInt32(session.escapeCharacter.map(UInt32.init) ?? MuxSessionRequest.noEscape)
            buffer.writeSSHString(session.terminalType)
            buffer.writeSSHString(session.command)
            for variable in session.environment { buffer.writeSSHString(variable) }
        case .aliveCheck(let request):
            Self.write(.aliveCheck, request, into: &buffer)
        case .terminate(let request):
            Self.write(.terminate, request, into: &buffer)
        case .openForward(let request, let forward):
            Self.write(.openForward, request, into: &buffer)
            forward.write(into: &buffer)
        case .closeForward(let request, let forward):
            Self.write(.closeForward, request, into: &buffer)
            forward.write(into: &buffer)
        case .newStdioForward(let request, let host, let port):
            Self.write(.newStdioForward, request, into: &buffer)
            buffer.writeSSHString("")
            buffer.writeSSHString(host)
            buffer.writeSSHUInt32(port)
        case .stopListening(let request):
            Self.write(.stopListening, request, into: &buffer)
        case .proxy(let request):
            Self.write(.proxy, request, into: &buffer)
        case .ok(let request):
            Self.write(.ok, request, into: &buffer)
        case .permissionDenied(let request, let reason):
            Self.write(.permissionDenied, request, into: &buffer)
            buffer.writeSSHString(reason)
        case .failure(let request, let reason):
            Self.write(.failure, request, into: &buffer)
            buffer.writeSSHString(reason)
        case .exitMessage(let session, let status):
            Self.write(.exitMessage, session, into: &buffer)
            buffer.writeSSHUInt32(status)
        case .alive(let request, let pid):
            Self.write(.alive, request, into: &buffer)
            buffer.writeSSHUInt32(pid)
        case .sessionOpened(let request, let session):
            Self.write(.sessionOpened, request, into: &buffer)
            buffer.writeSSHUInt32(session)
        case .remotePort(let request, let port):
            Self.write(.remotePort, request, into: &buffer)
            buffer.writeSSHUInt32(port)
        case .ttyAllocationFailed(let session):
            Self.write(.ttyAllocationFailed, session, into: &buffer)
        case .proxyOpened(let request):
            Self.write(.proxyOpened, request, into: &buffer)
        }
        return buffer
    }

    private static func write(_ kind: Kind, _ number: UInt32, into buffer: inout ByteBuffer) {
        buffer.writeSSHUInt32(kind.rawValue)
        buffer.writeSSHUInt32(number)
    }

    /// Decodes a body (type first, no length). Fields after the last one a type defines are
    /// ignored, as OpenSSH ignores them; a short or unknown message throws.
    public static func decode(_ body: ByteBuffer) throws(MuxError) -> MuxMessage {
        var buffer = body
        do {
            let number = try buffer.readSSHUInt32()
            guard let kind = Kind(rawValue: number) else {
                throw MuxError("unsupported mux message 0x\(String(number, radix: 16))")
            }
            switch kind {
            case .hello:
                let version = try buffer.readSSHUInt32()
                var extensions: [MuxExtension] = []
                while buffer.readableBytes > 0 {
                    let name = try buffer.readSSHUTF8String()
                    let value = try buffer.readSSHUTF8String()
                    extensions.append(MuxExtension(name: name, value: value))
                }
                return .hello(version: version, extensions: extensions)
            case .newSession:
                let request = try buffer.readSSHUInt32()
                _ = try buffer.readSSHString()
                var session = MuxSessionRequest()
                session.wantsTerminal = try buffer.readSSHUInt32() != 0
                session.wantsX11 = try buffer.readSSHUInt32() != 0
                session.wantsAgent = try buffer.readSSHUInt32() != 0
                session.isSubsystem = try buffer.readSSHUInt32() != 0
                let escape = try buffer.readSSHUInt32()
                session.escapeCharacter = escape <= 0xFF ? UInt8(escape) : nil
                session.terminalType = try buffer.readSSHUTF8String()
                session.command = try buffer.readSSHUTF8String()
                while buffer.readableBytes > 0 { session.environment.append(try buffer.readSSHUTF8String()) }
                return .newSession(request: request, session)
            case .aliveCheck: return .aliveCheck(request: try buffer.readSSHUInt32())
            case .terminate: return .terminate(request: try buffer.readSSHUInt32())
            case .openForward:
                let request = try buffer.readSSHUInt32()
                return .openForward(request: request, try MuxForward(reading: &buffer))
            case .closeForward:
                let request = try buffer.readSSHUInt32()
                return .closeForward(request: request, try MuxForward(reading: &buffer))
            case .newStdioForward:
                let request = try buffer.readSSHUInt32()
                _ = try buffer.readSSHString()
                let host = try buffer.readSSHUTF8String()
                return .newStdioForward(request: request, host: host, port: try buffer.readSSHUInt32())
            case .stopListening: return .stopListening(request: try buffer.readSSHUInt32())
            case .proxy: return .proxy(request: try buffer.readSSHUInt32())
            case .ok: return .ok(request: try buffer.readSSHUInt32())
            case .permissionDenied:
                let request = try buffer.readSSHUInt32()
                return .permissionDenied(request: request, reason: try buffer.readSSHUTF8String())
            case .failure:
                let request = try buffer.readSSHUInt32()
                return .failure(request: request, reason: try buffer.readSSHUTF8String())
            case .exitMessage:
                let session = try buffer.readSSHUInt32()
                return .exitMessage(session: session, status: try buffer.readSSHUInt32())
            case .alive:
                let request = try buffer.readSSHUInt32()
                return .alive(request: request, pid: try buffer.readSSHUInt32())
            case .sessionOpened:
                let request = try buffer.readSSHUInt32()
                return .sessionOpened(request: request, session: try buffer.readSSHUInt32())
            case .remotePort:
                let request = try buffer.readSSHUInt32()
                return .remotePort(request: request, port: try buffer.readSSHUInt32())
            case .ttyAllocationFailed: return .ttyAllocationFailed(session: try buffer.readSSHUInt32())
            case .proxyOpened: return .proxyOpened(request: try buffer.readSSHUInt32())
            }
        } catch let error as MuxError {
            throw error
        } catch {
            throw MuxError("malformed mux message: \(error)")
        }
    }
}

/// A name and value pair of a hello (PROTOCOL.mux §1); none is defined yet.
public struct MuxExtension: Equatable, Sendable {
    /// The extension's name.
    public var name: String
    /// Its value.
    public var value: String

    /// An extension pair.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// What a `MUX_C_NEW_SESSION` asks for (PROTOCOL.mux §2).
public struct MuxSessionRequest: Equatable, Sendable {
    /// A pseudo-terminal, sized and moded from the client's standard input.
    public var wantsTerminal = false
    /// X11 forwarding, with the master's display.
    public var wantsX11 = false
    /// Agent forwarding, with the master's agent.
    public var wantsAgent = false
    /// Whether `command` names a subsystem.
    public var isSubsystem = false
    /// The escape character the master watches the client's input for; nil for none.
    public var escapeCharacter: UInt8? = nil
    /// `$TERM` for the pty.
    public var terminalType = ""
    /// The command; empty for a shell.
    public var command = ""
    /// `NAME=value` strings to pass with `env` requests.
    public var environment: [String] = []

    /// The escape character field that turns escapes off.
    public static let noEscape: UInt32 = 0xFFFF_FFFF

    /// A request for a shell with no terminal, escapes or forwarding.
    public init() {}
}

/// A forwarding as `MUX_C_OPEN_FWD` and `MUX_C_CLOSE_FWD` carry it (PROTOCOL.mux §6, §7).
public struct MuxForward: Equatable, Sendable {
    /// `MUX_FWD_LOCAL`, `MUX_FWD_REMOTE`, `MUX_FWD_DYNAMIC`.
    public enum Kind: UInt32, Sendable {
        /// A local (`-L`) forwarding.
        case local = 1
        /// A remote (`-R`) forwarding.
        case remote = 2
        /// A dynamic (`-D`) forwarding.
        case dynamic = 3
    }

    /// Which forwarding.
    public var kind: Kind
    /// The listening host, a socket path when `listenPort` is ``streamLocal``; empty for the default.
    public var listenHost: String
    /// The listening port, or ``streamLocal``.
    public var listenPort: UInt32
    /// The host to connect to, a socket path when `connectPort` is ``streamLocal``; empty for dynamic.
    public var connectHost: String
    /// The port to connect to, or ``streamLocal``.
    public var connectPort: UInt32

    /// The port that marks a host field as a Unix-domain socket path, (unsigned) -2.
    public static let streamLocal: UInt32 = 0xFFFF_FFFE

    /// A forwarding from its fields.
    public init(kind: Kind, listenHost: String, listenPort: UInt32, connectHost: String, connectPort: UInt32) {
        self.kind = kind
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.connectHost = connectHost
        self.connectPort = connectPort
    }

    /// Reads the fields that follow a request id.
    public init(reading buffer: inout ByteBuffer) throws(WireError) {
        let number = try buffer.readSSHUInt32()
        guard let kind = Kind(rawValue: number) else {
            throw WireError(.invalidValue, "unknown mux forwarding type \(number)")
        }
        self.kind = kind
        listenHost = try buffer.readSSHUTF8String()
        listenPort = try buffer.readSSHUInt32()
        connectHost = try buffer.readSSHUTF8String()
        connectPort = try buffer.readSSHUInt32()
    }

    /// Writes the fields that follow a request id.
    public func write(into buffer: inout ByteBuffer) {
        buffer.writeSSHUInt32(kind.rawValue)
        buffer.writeSSHString(listenHost)
        buffer.writeSSHUInt32(listenPort)
        buffer.writeSSHString(connectHost)
        buffer.writeSSHUInt32(connectPort)
    }
}

/// A failure of the connection-sharing protocol or its control socket, in words.
public struct MuxError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    /// An error saying `description`.
    public init(_ description: String) {
        self.description = description
    }
}
