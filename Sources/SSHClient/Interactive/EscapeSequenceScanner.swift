import NIOCore

/// OpenSSH's escape sequences for an interactive session (ssh(1), ESCAPE CHARACTERS): the escape
/// character, `~` by default, typed first on a line and followed by a command character.
///
/// Sans-IO: typed bytes go in, and what comes out is, in input order, the bytes to send to the
/// session and the commands met on the way. An escape character is one only at the start of the
/// session or right after a carriage return or newline; followed by a character that is not a
/// command, both are sent, and typed twice it is sent once. When the command line is enabled, the
/// bytes after ``Command/commandLine`` up to the next carriage return or newline are the command
/// line, handed over as ``Piece/commandLine(_:)`` instead of being sent.
public struct EscapeSequenceScanner: Sendable {
    /// A command typed after the escape character.
    public enum Command: Sendable, Hashable {
        /// `.`: close the connection.
        case disconnect
        /// `B`: send a BREAK (RFC 4335).
        case sendBreak
        /// `R`: start a key re-exchange (RFC 4253 §9).
        case rekey
        /// `V`: log less.
        case quieter
        /// `v`: log more.
        case louder
        /// `^Z`: suspend the client.
        case suspend
        /// `#`: list the open channels.
        case listChannels
        /// `C`: read a command line (`-L`, `-R`, `-D`, `-KL`, `-KR`, `-KD`).
        case commandLine
        /// `?`: print the list of escapes.
        case help

        /// The character that follows the escape character for this command.
        public var character: UInt8 {
            switch self {
            case .disconnect: UInt8(ascii: ".")
            case .sendBreak: UInt8(ascii: "B")
            case .rekey: UInt8(ascii: "R")
            case .quieter: UInt8(ascii: "V")
            case .louder: UInt8(ascii: "v")
            case .suspend: 0x1A
            case .listChannels: UInt8(ascii: "#")
            case .commandLine: UInt8(ascii: "C")
            case .help: UInt8(ascii: "?")
            }
        }

        init?(_ character: UInt8) {
            guard let command = Self.all.first(where: { $0.character == character }) else { return nil }
            self = command
        }

        static let all: [Command] = [
            .disconnect, .sendBreak, .rekey, .quieter, .louder, .suspend, .listChannels, .commandLine, .help,
        ]
    }

    /// A part of a scan's result.
    public enum Piece: Sendable, Equatable {
        /// Bytes to send to the session.
        case data(ByteBuffer)
        /// An escape command.
        case command(Command)
        /// The line typed after ``Command/commandLine``, without its line end.
        case commandLine(String)
    }

    /// The escape character.
    public let escapeCharacter: UInt8
    /// Whether ``Command/commandLine`` reads a command line.
    public let commandLineEnabled: Bool
    private var atLineStart = true
    private var escapePending = false
    /// The command line being typed after ``Command/commandLine``, until its line end.
    private var commandLine: [UInt8]?

    /// A scanner for a session that starts now, with `escapeCharacter` as the escape character;
    /// with `commandLine`, ``Command/commandLine`` is followed by a command line to read.
    public init(escapeCharacter: UInt8 = UInt8(ascii: "~"), commandLine: Bool = false) {
        self.escapeCharacter = escapeCharacter
        self.commandLineEnabled = commandLine
    }

    /// Splits `input` into the bytes to send and the commands it holds, in order.
    public mutating func scan(_ input: ByteBuffer) -> [Piece] {
        guard let last = input.readableBytesView.last else { return [] }
        // Most input holds no escape: it goes on whole, and only its last byte matters.
        if !escapePending, commandLine == nil, !input.readableBytesView.contains(escapeCharacter) {
            atLineStart = Self.isLineEnd(last)
            return [.data(input)]
        }
        var pieces: [Piece] = []
        var pending = ByteBuffer()
        func flush() {
            if pending.readableBytes > 0 { pieces.append(.data(pending)) }
            pending = ByteBuffer()
        }
        for byte in input.readableBytesView {
            if var line = commandLine {
                if Self.isLineEnd(byte) {
                    commandLine = nil
                    atLineStart = true
                    pieces.append(.commandLine(String(decoding: line, as: UTF8.self)))
                } else {
                    line.append(byte)
                    commandLine = line
                }
                continue
            }
            if escapePending {
                escapePending = false
                if let command = Command(byte) {
                    flush()
                    pieces.append(.command(command))
                    if command == .commandLine && commandLineEnabled { commandLine = [] }
                    continue
                }
                if byte != escapeCharacter { pending.writeInteger(escapeCharacter) }
            } else if atLineStart && byte == escapeCharacter {
                escapePending = true
                continue
            }
            atLineStart = Self.isLineEnd(byte)
            pending.writeInteger(byte)
        }
        flush()
        return pieces
    }

    private static func isLineEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    /// The list of escapes `~?` prints, as OpenSSH words it, with `\r\n` line ends for a raw
    /// terminal; `~C` is in it when the command line is enabled.
    public var help: String {
        let escape = String(UnicodeScalar(escapeCharacter))
        var lines = ["\(escape)?", "Supported escape sequences:"]
        let entries: [(String, String)] = [
            (".", "terminate connection (and any multiplexed sessions)"),
            ("B", "send a BREAK to the remote system"),
        ] + (commandLineEnabled ? [("C", "open a command line")] : []) + [
            ("R", "request rekey"),
            ("V/v", "decrease/increase verbosity (LogLevel)"),
            ("^Z", "suspend ssh"),
            ("#", "list forwarded connections"),
            ("?", "this message"),
        ]
        for (key, text) in entries {
            lines.append(" " + escape + key + String(repeating: " ", count: max(0, 3 - key.count)) + " - " + text)
        }
        lines.append(" \(escape)\(escape)   - send the escape character by typing it twice")
        lines.append("(Note that escapes are only recognized immediately after newline.)")
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}
