/// A port forwarding from `LocalForward`, `RemoteForward` or `DynamicForward` (ssh_config(5)).
public struct SSHForwarding: Hashable, Sendable {
    /// The listening address, when one was given.
    public var listenHost: String?
    /// The listening port; -2 when listening on a Unix-domain socket.
    public var listenPort: Int
    /// The listening Unix-domain socket path.
    public var listenPath: String?
    /// The destination host (`socks` for dynamic forwardings).
    public var connectHost: String?
    /// The destination port; -2 for a Unix-domain socket.
    public var connectPort: Int
    /// The destination Unix-domain socket path.
    public var connectPath: String?

    static let streamLocal = -2

    /// A forwarding from its parts: a port of -2 goes with a Unix-domain socket path.
    public init(
        listenHost: String? = nil, listenPort: Int, listenPath: String? = nil, connectHost: String? = nil,
        connectPort: Int, connectPath: String? = nil
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.listenPath = listenPath
        self.connectHost = connectHost
        self.connectPort = connectPort
        self.connectPath = connectPath
    }

    /// Whether this forwarding is a SOCKS proxy (`DynamicForward`, or `RemoteForward` with only a port).
    public var isDynamic: Bool { connectHost == "socks" }

    /// Parses a forwarding specification as OpenSSH's `parse_forward` does: `[bind:]port:host:hostport`
    /// and the Unix-socket forms, or with `dynamic` `[bind:]port`; `remote` allows listening on port 0.
    /// `${ENV}` references must already be expanded. Nil when the specification is malformed.
    public static func parse(_ spec: String, dynamic: Bool, remote: Bool) -> SSHForwarding? {
        var fields: [(text: String, isPath: Bool)] = []
        var rest = Array(spec.drop { $0 == " " || $0 == "\t" }.utf8)[...]
        while fields.count < 4, !rest.isEmpty {
            guard let field = nextField(&rest) else { return nil }
            fields.append(field)
        }
        if !rest.isEmpty { return nil }
        var forward = SSHForwarding(listenPort: 0, connectPort: 0)
        func port(_ text: String) -> Int { ConfigNumber.port(text) ?? -1 }
        switch fields.count {
        case 1:
            if fields[0].isPath {
                forward.listenPath = fields[0].text
                forward.listenPort = streamLocal
            } else {
                forward.listenPort = port(fields[0].text)
            }
            forward.connectHost = "socks"
        case 2:
            if fields[0].isPath && fields[1].isPath {
                forward.listenPath = fields[0].text
                forward.listenPort = streamLocal
                forward.connectPath = fields[1].text
                forward.connectPort = streamLocal
            } else if fields[1].isPath {
                forward.listenPort = port(fields[0].text)
                forward.connectPath = fields[1].text
                forward.connectPort = streamLocal
            } else {
                forward.listenHost = fields[0].text
                forward.listenPort = port(fields[1].text)
                forward.connectHost = "socks"
            }
        case 3:
            if fields[0].isPath {
                forward.listenPath = fields[0].text
                forward.listenPort = streamLocal
                forward.connectHost = fields[1].text
                forward.connectPort = port(fields[2].text)
            } else if fields[2].isPath {
                forward.listenHost = fields[0].text
                forward.listenPort = port(fields[1].text)
                forward.connectPath = fields[2].text
                forward.connectPort = streamLocal
            } else {
                forward.listenPort = port(fields[0].text)
                forward.connectHost = fields[1].text
                forward.connectPort = port(fields[2].text)
            }
        case 4:
            forward.listenHost = fields[0].text
            forward.listenPort = port(fields[1].text)
            forward.connectHost = fields[2].text
            forward.connectPort = port(fields[3].text)
        default:
            return nil
        }
        if dynamic {
            guard fields.count == 1 || fields.count == 2 else { return nil }
        } else {
            if fields.count != 3 && fields.count != 4 && forward.connectPath == nil && forward.listenPath == nil {
                return nil
            }
            if forward.connectPort <= 0 && forward.connectPath == nil { return nil }
        }
        if (forward.listenPort < 0 && forward.listenPath == nil) || (!remote && forward.listenPort == 0) {
            return nil
        }
        return forward
    }

    private static func nextField(_ rest: inout ArraySlice<UInt8>) -> (text: String, isPath: Bool)? {
        if rest.first == UInt8(ascii: "[") {
            guard let close = rest.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            let inner = rest[(rest.startIndex + 1)..<close]
            let after = rest[(close + 1)...]
            guard after.isEmpty || after.first == UInt8(ascii: ":") else { return nil }
            rest = after.isEmpty ? after : after.dropFirst()
            return (String(decoding: inner, as: UTF8.self), inner.contains(UInt8(ascii: "/")))
        }
        var text: [UInt8] = []
        var isPath = false
        while let byte = rest.first {
            rest = rest.dropFirst()
            switch byte {
            case UInt8(ascii: "\\"):
                guard let escaped = rest.first else { return nil }
                rest = rest.dropFirst()
                text.append(escaped)
            case UInt8(ascii: ":"):
                return (String(decoding: text, as: UTF8.self), isPath)
            default:
                if byte == UInt8(ascii: "/") { isPath = true }
                text.append(byte)
            }
        }
        return (String(decoding: text, as: UTF8.self), isPath)
    }

    /// The `listen connect` text `ssh -G` prints after the keyword.
    func rendered(dynamic: Bool) -> String {
        var text: String
        if listenPort == Self.streamLocal {
            text = listenPath ?? ""
        } else if let listenHost {
            text = "[\(listenHost)]:\(listenPort)"
        } else {
            text = String(listenPort)
        }
        if !dynamic {
            if connectPort == Self.streamLocal {
                text += " " + (connectPath ?? "")
            } else if let connectHost {
                text += " [\(connectHost)]:\(connectPort)"
            } else {
                text += " \(connectPort)"
            }
        }
        return text
    }
}
