#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pseudo-terminal for a `pty-req` (RFC 4254 §6.2): the master, which the server reads and writes,
/// and the slave, set up with the requested modes and window size, whose path the child opens as its
/// controlling terminal.
struct PseudoTerminal {
    /// The master side (close-on-exec).
    let master: Int32
    /// A handle on the slave side kept open (without making it our controlling terminal) until the
    /// child has opened it, so that the terminal keeps its settings; close it after spawning.
    let slave: Int32
    /// The slave's path, e.g. `/dev/pts/3`.
    let slavePath: String

    /// Allocates a pseudo-terminal and applies `request`'s modes (RFC 4254 §8) and size.
    static func open(for request: TerminalRequest) throws(SSHServerError) -> PseudoTerminal {
        let opened = openDevice("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard opened >= 0 else {
            throw SSHServerError(.pseudoTerminal, "open /dev/ptmx: \(SystemFunctions.errorString(errno))")
        }
        let master: Int32
        do throws(SSHServerError) {
            master = try SystemFunctions.aboveStandardDescriptors(opened)
        } catch {
            throw SSHServerError(.pseudoTerminal, error.detail)
        }
        do throws(SSHServerError) {
            let path = try slavePath(of: master)
            let slave = openDevice(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
            guard slave >= 0 else {
                throw SSHServerError(.pseudoTerminal, "open \(path): \(SystemFunctions.errorString(errno))")
            }
            var attributes = termios()
            if tcgetattr(slave, &attributes) == 0 {
                TerminalAttributes.apply(request.modes, to: &attributes)
                _ = tcsetattr(slave, TCSANOW, &attributes)
            }
            setWindowSize(
                of: master, columns: request.columns, rows: request.rows, pixelWidth: request.pixelWidth,
                pixelHeight: request.pixelHeight)
            return PseudoTerminal(master: master, slave: slave, slavePath: path)
        } catch {
            close(master)
            throw error
        }
    }

    /// Sets the window size of the terminal whose master or slave is `descriptor` (`TIOCSWINSZ`); the
    /// kernel sends `SIGWINCH` to the terminal's foreground process group when it changes (RFC 4254 §6.7).
    /// Sizes are clamped to 0...65535.
    static func setWindowSize(of descriptor: Int32, columns: Int, rows: Int, pixelWidth: Int, pixelHeight: Int) {
        func clamp(_ value: Int) -> UInt16 { UInt16(clamping: max(0, value)) }
        var size = winsize(
            ws_row: clamp(rows), ws_col: clamp(columns), ws_xpixel: clamp(pixelWidth), ws_ypixel: clamp(pixelHeight))
        _ = ioctl(descriptor, UInt(TIOCSWINSZ), &size)
    }

    private static func slavePath(of master: Int32) throws(SSHServerError) -> String {
        guard let grantpt = SystemFunctions.grantpt, let unlockpt = SystemFunctions.unlockpt,
            let ptsname = SystemFunctions.ptsnameR
        else {
            throw SSHServerError(.pseudoTerminal, "the C library has no grantpt, unlockpt or ptsname_r")
        }
        guard grantpt(master) == 0 else {
            throw SSHServerError(.pseudoTerminal, "grantpt: \(SystemFunctions.errorString(errno))")
        }
        guard unlockpt(master) == 0 else {
            throw SSHServerError(.pseudoTerminal, "unlockpt: \(SystemFunctions.errorString(errno))")
        }
        var name = [CChar](repeating: 0, count: 128)
        let status = ptsname(master, &name, name.count)
        guard status == 0 else {
            throw SSHServerError(.pseudoTerminal, "ptsname_r: \(SystemFunctions.errorString(status))")
        }
        return String(decoding: name.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func openDevice(_ path: String, _ flags: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags)
        #else
        Darwin.open(path, flags)
        #endif
    }
}
