// swift-format-ignore-file: AlwaysUseLowerCamelCase
// The tables keep the termios names.

import SSHWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Applies the encoded terminal modes of a `pty-req` (RFC 4254 §6.2, §8) to a `termios`, as
/// OpenSSH's `tty_parse_modes` does: control characters (255 disables one), input, local, output and
/// control flags, and the speeds. Opcodes the system has no equivalent for are skipped.
enum TerminalAttributes {
    /// Sets the modes in `modes` on `attributes`, leaving the others as they are.
    static func apply(_ modes: TerminalModes, to attributes: inout termios) {
        for mode in modes.modes {
            let opcode = mode.opcode
            let value = mode.value
            if let index = characters[opcode] {
                let character = value == 255 ? disabledCharacter : cc_t(truncatingIfNeeded: value)
                withUnsafeMutableBytes(of: &attributes.c_cc) { $0[Int(index)] = character }
            } else if let flag = inputFlags[opcode] {
                set(flag, in: &attributes.c_iflag, value != 0)
            } else if let flag = localFlags[opcode] {
                set(flag, in: &attributes.c_lflag, value != 0)
            } else if let flag = outputFlags[opcode] {
                set(flag, in: &attributes.c_oflag, value != 0)
            } else if opcode == .CS7 || opcode == .CS8 {
                // A character size is a field, not a flag: setting one replaces the other.
                if value != 0 {
                    let size = tcflag_t(opcode == .CS7 ? CS7 : CS8)
                    attributes.c_cflag = (attributes.c_cflag & ~tcflag_t(CSIZE)) | size
                }
            } else if opcode == .PARENB {
                set(tcflag_t(PARENB), in: &attributes.c_cflag, value != 0)
            } else if opcode == .PARODD {
                set(tcflag_t(PARODD), in: &attributes.c_cflag, value != 0)
            } else if opcode == .TTY_OP_ISPEED {
                _ = cfsetispeed(&attributes, speed(baud: value))
            } else if opcode == .TTY_OP_OSPEED {
                _ = cfsetospeed(&attributes, speed(baud: value))
            }
        }
    }

    /// The terminal's end-of-file character (`VEOF`) in `attributes`, or ^D when it is disabled.
    static func endOfFileCharacter(of attributes: termios) -> UInt8 {
        var attributes = attributes
        let character = withUnsafeBytes(of: &attributes.c_cc) { $0[Int(VEOF)] }
        return character == disabledCharacter ? 4 : character
    }

    private static func set(_ flag: tcflag_t, in field: inout tcflag_t, _ on: Bool) {
        if on { field |= flag } else { field &= ~flag }
    }

    #if canImport(Darwin)
    private static let disabledCharacter: cc_t = 0xff
    #else
    private static let disabledCharacter: cc_t = 0
    #endif

    private static let characters: [TerminalModeOpcode: Int32] = {
        var table: [TerminalModeOpcode: Int32] = [
            .VINTR: VINTR, .VQUIT: VQUIT, .VERASE: VERASE, .VKILL: VKILL, .VEOF: VEOF, .VEOL: VEOL,
            .VEOL2: VEOL2, .VSTART: VSTART, .VSTOP: VSTOP, .VSUSP: VSUSP, .VREPRINT: VREPRINT,
            .VWERASE: VWERASE, .VLNEXT: VLNEXT, .VDISCARD: VDISCARD,
        ]
        #if canImport(Darwin)
        table[.VDSUSP] = VDSUSP
        table[.VSTATUS] = VSTATUS
        #endif
        return table
    }()

    private static let inputFlags: [TerminalModeOpcode: tcflag_t] = {
        var table: [TerminalModeOpcode: tcflag_t] = [
            .IGNPAR: tcflag_t(IGNPAR), .PARMRK: tcflag_t(PARMRK), .INPCK: tcflag_t(INPCK),
            .ISTRIP: tcflag_t(ISTRIP), .INLCR: tcflag_t(INLCR), .IGNCR: tcflag_t(IGNCR), .ICRNL: tcflag_t(ICRNL),
            .IXON: tcflag_t(IXON), .IXANY: tcflag_t(IXANY), .IXOFF: tcflag_t(IXOFF), .IMAXBEL: tcflag_t(IMAXBEL),
            .IUTF8: tcflag_t(IUTF8),
        ]
        #if os(Linux)
        table[.IUCLC] = tcflag_t(IUCLC)
        #endif
        return table
    }()

    private static let localFlags: [TerminalModeOpcode: tcflag_t] = {
        var table: [TerminalModeOpcode: tcflag_t] = [
            .ISIG: tcflag_t(ISIG), .ICANON: tcflag_t(ICANON), .ECHO: tcflag_t(ECHO), .ECHOE: tcflag_t(ECHOE),
            .ECHOK: tcflag_t(ECHOK), .ECHONL: tcflag_t(ECHONL), .NOFLSH: tcflag_t(NOFLSH),
            .TOSTOP: tcflag_t(TOSTOP), .IEXTEN: tcflag_t(IEXTEN), .ECHOCTL: tcflag_t(ECHOCTL),
            .ECHOKE: tcflag_t(ECHOKE), .PENDIN: tcflag_t(PENDIN),
        ]
        #if os(Linux)
        table[.XCASE] = tcflag_t(XCASE)
        #endif
        return table
    }()

    private static let outputFlags: [TerminalModeOpcode: tcflag_t] = {
        var table: [TerminalModeOpcode: tcflag_t] = [
            .OPOST: tcflag_t(OPOST), .ONLCR: tcflag_t(ONLCR), .OCRNL: tcflag_t(OCRNL), .ONOCR: tcflag_t(ONOCR),
            .ONLRET: tcflag_t(ONLRET),
        ]
        #if os(Linux)
        table[.OLCUC] = tcflag_t(OLCUC)
        #endif
        return table
    }()

    /// The `speed_t` of a baud rate, 9600 for one the system does not know (as OpenSSH does).
    static func speed(baud: UInt32) -> speed_t {
        speed_t(speeds[baud] ?? B9600)
    }

    private static let speeds: [UInt32: Int32] = [
        0: B0, 50: B50, 75: B75, 110: B110, 134: B134, 150: B150, 200: B200, 300: B300, 600: B600,
        1200: B1200, 1800: B1800, 2400: B2400, 4800: B4800, 9600: B9600, 19200: B19200, 38400: B38400,
        57600: B57600, 115200: B115200, 230400: B230400,
    ]
}
