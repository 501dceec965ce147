import NIOCore
import SSHConnection
import SSHCrypto
import SSHWire

/// An X display as `DISPLAY` names it: `:0`, `:10.1`, `unix:0`, `host:0` (X(7) "DISPLAY NAMES").
public struct X11Display: Sendable, Hashable {
    /// The host for a TCP display; nil for the local Unix socket.
    public var host: String?
    /// The display number.
    public var number: Int
    /// The screen number.
    public var screen: Int

    /// Parses `DISPLAY`; nil when it is not `[host]:number[.screen]`.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        let hostPart = String(text[..<colon])
        let rest = text[text.index(after: colon)...].split(separator: ".", omittingEmptySubsequences: false)
        guard let first = rest.first, let number = Int(first), number >= 0, rest.count <= 2 else { return nil }
        let screen = rest.count == 2 ? Int(rest[1]) : 0
        guard let screen, screen >= 0 else { return nil }
        host = hostPart.isEmpty || hostPart == "unix" || hostPart.hasSuffix("/unix") ? nil : hostPart
        self.number = number
        self.screen = screen
    }

    /// Where the display listens: `/tmp/.X11-unix/X<number>`, or TCP port 6000 + number.
    public var address: ForwardingListener.Address {
        if let host { return .tcp(host: host, port: 6000 + number) }
        return .unix(path: "/tmp/.X11-unix/X\(number)")
    }
}

/// X11 forwarding as ssh's ForwardX11 does it (RFC 4254 §6.3): the server is given a fake cookie in
/// `x11-req`; each `x11` channel it opens is connected to the local display once its connection
/// setup carries that fake cookie, which is then replaced by the display's real one, so the real
/// cookie never leaves this machine.
public struct X11Forwarding: Sendable {
    /// The local display.
    public var display: X11Display
    /// The authentication protocol, normally `MIT-MAGIC-COOKIE-1`.
    public var authenticationProtocol: String
    /// The display's cookie (from `xauth list`), or random bytes when it has none.
    public var cookie: [UInt8]
    /// The cookie the server gets: random, the real one's length.
    public var fakeCookie: [UInt8]

    /// Forwarding to `display` with its `cookie`; the fake cookie is drawn from `random`.
    public init(
        display: X11Display, authenticationProtocol: String = "MIT-MAGIC-COOKIE-1", cookie: [UInt8],
        using random: inout some SSHRandomSource
    ) {
        self.display = display
        self.authenticationProtocol = authenticationProtocol
        self.cookie = cookie
        fakeCookie = random.bytes(cookie.count)
    }

    /// ``init(display:authenticationProtocol:cookie:using:)`` with the system's randomness.
    public init(display: X11Display, authenticationProtocol: String = "MIT-MAGIC-COOKIE-1", cookie: [UInt8]) {
        var random = SystemRandom()
        self.init(display: display, authenticationProtocol: authenticationProtocol, cookie: cookie, using: &random)
    }

    /// The `x11-req` fields: the fake cookie in hex, as xauth writes cookies.
    var request: ChannelRequestType.X11Forwarding {
        ChannelRequestType.X11Forwarding(
            singleConnection: false, authenticationProtocol: authenticationProtocol,
            authenticationCookie: Hex.encode(fakeCookie), screenNumber: UInt32(display.screen))
    }

    /// The check and substitution for one connection.
    var setupRewriter: X11SetupRewriter {
        X11SetupRewriter(protocolName: Array(authenticationProtocol.utf8), fake: fakeCookie, real: cookie)
    }
}
