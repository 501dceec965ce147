import NIOCore
import SSHClient
import Testing

/// OpenSSH's escape sequences: recognized only first on a line, in order with the data around
/// them, across any cut of the input.
struct EscapeSequenceScannerTests {
    typealias Piece = EscapeSequenceScanner.Piece

    private func scan(_ chunks: [String], escape: UInt8 = UInt8(ascii: "~"), commandLine: Bool = false) -> [Piece] {
        var scanner = EscapeSequenceScanner(escapeCharacter: escape, commandLine: commandLine)
        return merged(chunks.flatMap { scanner.scan(ByteBuffer(string: $0)) })
    }

    /// Adjacent data pieces joined, so that results compare whatever the cut.
    private func merged(_ pieces: [Piece]) -> [Piece] {
        var result: [Piece] = []
        for piece in pieces {
            if case .data(var next) = piece, case .data(var previous)? = result.last {
                previous.writeBuffer(&next)
                result[result.count - 1] = .data(previous)
            } else {
                result.append(piece)
            }
        }
        return result
    }

    private func data(_ text: String) -> Piece { .data(ByteBuffer(string: text)) }

    @Test func plainInputPassesWhole() {
        #expect(scan(["ls -l\r", "echo a~b\r"]) == [data("ls -l\recho a~b\r")])
    }

    @Test func escapesCountOnlyFirstOnALine() {
        #expect(scan(["~."]) == [.command(.disconnect)])
        #expect(scan(["ls\r~."]) == [data("ls\r"), .command(.disconnect)])
        #expect(scan(["ls\n~."]) == [data("ls\n"), .command(.disconnect)])
        #expect(scan(["a~."]) == [data("a~.")])
        #expect(scan(["ls\r", "x~B"]) == [data("ls\rx~B")])
    }

    @Test func everyCommandHasItsCharacter() {
        let expected: [(String, EscapeSequenceScanner.Command)] = [
            (".", .disconnect), ("B", .sendBreak), ("R", .rekey), ("V", .quieter), ("v", .louder),
            ("\u{1A}", .suspend), ("#", .listChannels), ("C", .commandLine), ("?", .help),
        ]
        for (character, command) in expected {
            #expect(scan(["\r~" + character + "x"]) == [data("\r"), .command(command), data("x")])
        }
    }

    @Test func anEscapeIsFollowedByAnother() {
        // A command leaves the line's start where it was, as ssh's does.
        #expect(scan(["~?~#~."]) == [.command(.help), .command(.listChannels), .command(.disconnect)])
    }

    @Test func otherCharactersAreSentWithTheEscape() {
        #expect(scan(["~x"]) == [data("~x")])
        #expect(scan(["~~"]) == [data("~")])
        // The doubled escape is data, so the escape after it is not first on the line.
        #expect(scan(["~~~."]) == [data("~~.")])
        #expect(scan(["~\r~."]) == [data("~\r"), .command(.disconnect)])
    }

    @Test func anyCutOfTheInputGivesTheSame() {
        let text = "ls\r~?pwd\n~~x~.\r~#~Bq\r~R"
        let whole = scan([text])
        #expect(whole == [
            data("ls\r"), .command(.help), data("pwd\n~x~.\r"), .command(.listChannels), .command(.sendBreak),
            data("q\r"), .command(.rekey),
        ])
        let bytes = Array(text.utf8)
        for size in 1...5 {
            let chunks = stride(from: 0, to: bytes.count, by: size).map {
                String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self)
            }
            #expect(scan(chunks) == whole, "chunks of \(size)")
        }
    }

    @Test func theCommandLineIsReadOnlyWhenEnabled() {
        #expect(scan(["~C-L 8080:h:80\r~."], commandLine: true) == [
            .command(.commandLine), .commandLine("-L 8080:h:80"), .command(.disconnect),
        ])
        #expect(scan(["~C", "-KL", " 80", "80\n", "ls"], commandLine: true) == [
            .command(.commandLine), .commandLine("-KL 8080"), data("ls"),
        ])
        #expect(scan(["~C-L 8080:h:80\r"]) == [.command(.commandLine), data("-L 8080:h:80\r")])
    }

    @Test func anotherEscapeCharacter() {
        #expect(scan(["\u{01}.", "~."], escape: 0x01) == [.command(.disconnect), data("~.")])
        #expect(scan(["%%"], escape: UInt8(ascii: "%")) == [data("%")])
    }

    @Test func helpListsTheEscapesAsSshDoes() {
        let help = EscapeSequenceScanner().help
        #expect(help.hasPrefix("~?\r\nSupported escape sequences:\r\n ~.   - terminate connection"))
        #expect(help.contains(" ~^Z  - suspend ssh\r\n"))
        #expect(help.hasSuffix(" ~~   - send the escape character by typing it twice\r\n"
            + "(Note that escapes are only recognized immediately after newline.)\r\n"))
        #expect(!help.contains("~C"))
        #expect(EscapeSequenceScanner(commandLine: true).help.contains(" ~C   - open a command line\r\n"))
    }
}
