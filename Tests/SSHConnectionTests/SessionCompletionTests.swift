import NIOCore
import SSHConnection
import SSHWire
import Testing

/// A session is complete once EOF and the exit have both arrived, in either order, and only once.
struct SessionCompletionTests {
    static func notes(_ outputs: [ChannelOutput]) -> (answers: [Bool], completion: SessionCompletion) {
        var completion = SessionCompletion()
        let answers = outputs.map { completion.note($0) }
        return (answers, completion)
    }

    @Test func completesOnceBothArriveInEitherOrder() {
        let exitFirst = Self.notes([
            .exitStatus(0), .stdout(ByteBuffer(string: "late output")), .eof, .stderr(ByteBuffer(string: "after")),
        ])
        #expect(exitFirst.answers == [false, false, true, false])
        let signal = ChannelRequestType.ExitSignal(signalName: "TERM", coreDumped: false, errorMessage: "", languageTag: "")
        let eofFirst = Self.notes([.eof, .exitSignal(signal)])
        #expect(eofFirst.answers == [false, true])
        #expect(eofFirst.completion.sawEOF && eofFirst.completion.sawExit)
    }

    @Test func outputAloneNeverCompletes() {
        let notes = Self.notes([.stdout(ByteBuffer(string: "a")), .eof, .eof])
        #expect(notes.answers == [false, false, false])
        #expect(!notes.completion.sawExit)
    }
}
