// swift-format-ignore-file: AlwaysUseLowerCamelCase
// The opcodes keep their RFC 4254 §8 and POSIX termios names.

import NIOCore

/// An opcode of the encoded terminal modes (RFC 4254 §8, RFC 8160). Unknown opcodes keep their raw value.
public struct TerminalModeOpcode: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// `TTY_OP_END`: ends the list.
    public static let end = Self(rawValue: 0)
    public static let VINTR = Self(rawValue: 1)
    public static let VQUIT = Self(rawValue: 2)
    public static let VERASE = Self(rawValue: 3)
    public static let VKILL = Self(rawValue: 4)
    public static let VEOF = Self(rawValue: 5)
    public static let VEOL = Self(rawValue: 6)
    public static let VEOL2 = Self(rawValue: 7)
    public static let VSTART = Self(rawValue: 8)
    public static let VSTOP = Self(rawValue: 9)
    public static let VSUSP = Self(rawValue: 10)
    public static let VDSUSP = Self(rawValue: 11)
    public static let VREPRINT = Self(rawValue: 12)
    public static let VWERASE = Self(rawValue: 13)
    public static let VLNEXT = Self(rawValue: 14)
    public static let VFLUSH = Self(rawValue: 15)
    public static let VSWTCH = Self(rawValue: 16)
    public static let VSTATUS = Self(rawValue: 17)
    public static let VDISCARD = Self(rawValue: 18)
    public static let IGNPAR = Self(rawValue: 30)
    public static let PARMRK = Self(rawValue: 31)
    public static let INPCK = Self(rawValue: 32)
    public static let ISTRIP = Self(rawValue: 33)
    public static let INLCR = Self(rawValue: 34)
    public static let IGNCR = Self(rawValue: 35)
    public static let ICRNL = Self(rawValue: 36)
    public static let IUCLC = Self(rawValue: 37)
    public static let IXON = Self(rawValue: 38)
    public static let IXANY = Self(rawValue: 39)
    public static let IXOFF = Self(rawValue: 40)
    public static let IMAXBEL = Self(rawValue: 41)
    /// RFC 8160.
    public static let IUTF8 = Self(rawValue: 42)
    public static let ISIG = Self(rawValue: 50)
    public static let ICANON = Self(rawValue: 51)
    public static let XCASE = Self(rawValue: 52)
    public static let ECHO = Self(rawValue: 53)
    public static let ECHOE = Self(rawValue: 54)
    public static let ECHOK = Self(rawValue: 55)
    public static let ECHONL = Self(rawValue: 56)
    public static let NOFLSH = Self(rawValue: 57)
    public static let TOSTOP = Self(rawValue: 58)
    public static let IEXTEN = Self(rawValue: 59)
    public static let ECHOCTL = Self(rawValue: 60)
    public static let ECHOKE = Self(rawValue: 61)
    public static let PENDIN = Self(rawValue: 62)
    public static let OPOST = Self(rawValue: 70)
    public static let OLCUC = Self(rawValue: 71)
    public static let ONLCR = Self(rawValue: 72)
    public static let OCRNL = Self(rawValue: 73)
    public static let ONOCR = Self(rawValue: 74)
    public static let ONLRET = Self(rawValue: 75)
    public static let CS7 = Self(rawValue: 90)
    public static let CS8 = Self(rawValue: 91)
    public static let PARENB = Self(rawValue: 92)
    public static let PARODD = Self(rawValue: 93)
    public static let TTY_OP_ISPEED = Self(rawValue: 128)
    public static let TTY_OP_OSPEED = Self(rawValue: 129)

    /// Opcodes from 160 on are undefined and stop parsing (RFC 4254 §8).
    public static let firstUndefined: UInt8 = 160
}

/// The `encoded terminal modes` of a `pty-req` (RFC 4254 §8): opcodes with `uint32` arguments.
public struct TerminalModes: Hashable, Sendable {
    /// One mode and its argument.
    public struct Mode: Hashable, Sendable {
        public var opcode: TerminalModeOpcode
        public var value: UInt32

        public init(_ opcode: TerminalModeOpcode, _ value: UInt32) {
            self.opcode = opcode
            self.value = value
        }
    }

    /// The modes in wire order, without `TTY_OP_END`.
    public var modes: [Mode]

    public init(_ modes: [Mode] = []) { self.modes = modes }

    /// Parses the encoded modes (the contents of the string). Parsing stops at `TTY_OP_END`, at an
    /// opcode of 160 or more (RFC 4254 §8), or at the end of the bytes; an opcode without its
    /// argument throws `.truncated`.
    public init(decoding encoded: ByteBuffer) throws(WireError) {
        var encoded = encoded
        var modes: [Mode] = []
        while let opcode = encoded.readInteger(as: UInt8.self), opcode != TerminalModeOpcode.end.rawValue,
            opcode < TerminalModeOpcode.firstUndefined
        {
            modes.append(Mode(TerminalModeOpcode(rawValue: opcode), try encoded.readSSHUInt32()))
        }
        self.modes = modes
    }

    /// The value of the first occurrence of `opcode`.
    public subscript(opcode: TerminalModeOpcode) -> UInt32? {
        modes.first(where: { $0.opcode == opcode })?.value
    }

    /// Writes the modes followed by `TTY_OP_END` (not the enclosing string length).
    public func encode(into buffer: inout ByteBuffer) {
        for mode in modes {
            buffer.writeSSHByte(mode.opcode.rawValue)
            buffer.writeSSHUInt32(mode.value)
        }
        buffer.writeSSHByte(TerminalModeOpcode.end.rawValue)
    }
}
