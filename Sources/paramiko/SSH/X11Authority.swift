import Foundation
import SSHClient
import SSHCrypto

/// The local display's X authority for ForwardX11, found as ssh's `client_x11_get_proto` finds it:
/// with ForwardX11Trusted, the display's own cookie (`xauth list`); otherwise an untrusted cookie
/// that xauth generates for ForwardX11Timeout (the X server's SECURITY extension then limits what
/// remote clients may do). Without xauth or a cookie, trusted forwarding goes on with a made-up
/// cookie, as ssh's does; untrusted forwarding is not set up.
enum X11Authority {
    /// The forwarding for `display` (named `name` in `DISPLAY`), and a warning to show; nil
    /// forwarding when it cannot be set up.
    static func forwarding(
        display: X11Display, name: String, trusted: Bool, timeout: Int, xauth: String
    ) -> (forwarding: X11Forwarding?, warning: String?) {
        // xauth knows the local display as unix:N, not localhost:N.
        let lookup = name.hasPrefix("localhost:") ? "unix:" + name.dropFirst("localhost:".count) : name
        var cookie: (protocol: String, data: [UInt8])?
        if FileManager.default.isExecutableFile(atPath: xauth) {
            if trusted {
                cookie = list(xauth, lookup, file: nil)
            } else {
                cookie = untrusted(xauth, lookup, timeout: timeout)
                if cookie == nil {
                    return (nil, "Warning: untrusted X11 forwarding setup failed: xauth key data not generated")
                }
            }
        } else if !trusted {
            return (nil, "Warning: No xauth program; cannot forward X11 with untrusted authentication.")
        }
        guard let cookie else {
            // ssh's fallback: a random cookie the display does not check (no authentication).
            var random = SystemRandom()
            return (
                X11Forwarding(display: display, cookie: random.bytes(16)),
                "Warning: No xauth data; using fake authentication data for X11 forwarding."
            )
        }
        return (X11Forwarding(display: display, authenticationProtocol: cookie.protocol, cookie: cookie.data), nil)
    }

    /// An untrusted cookie generated into a file of its own, which is removed after.
    private static func untrusted(_ xauth: String, _ display: String, timeout: Int) -> (protocol: String, data: [UInt8])? {
        let directory = NSTemporaryDirectory() + "paramiko-xauth-\(UUID().uuidString)"
        guard (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700])) != nil
        else { return nil }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/xauthfile"
        // ssh gives the cookie a minute more than ForwardX11Timeout; 0 means no timeout.
        let lifetime = timeout == 0 ? [] : ["timeout", String(timeout + 60)]
        guard let generated = run([xauth, "-q", "-f", file, "generate", display, "MIT-MAGIC-COOKIE-1", "untrusted"] + lifetime),
            generated.status == 0
        else { return nil }
        return list(xauth, display, file: file)
    }

    /// The first cookie `xauth list` prints for `display`: `name protocol hexdata`.
    private static func list(_ xauth: String, _ display: String, file: String?) -> (protocol: String, data: [UInt8])? {
        guard let listed = run([xauth] + (file.map { ["-f", $0] } ?? []) + ["list", display]), listed.status == 0 else {
            return nil
        }
        let line = String(decoding: listed.output, as: UTF8.self).split(separator: "\n").first ?? ""
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, let data = Hex.decode(fields[2]), !data.isEmpty else { return nil }
        return (String(fields[1]), data)
    }

    /// xauth with its complaints silenced, as ssh runs it (`2>/dev/null`).
    private static func run(_ arguments: [String]) -> (status: Int32, output: [UInt8])? {
        let quoted = arguments.map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        return ProcessSpawn.output(["/bin/sh", "-c", quoted + " 2>/dev/null"])
    }
}
