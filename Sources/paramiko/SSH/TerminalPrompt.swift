import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Asks our user something the way ssh's `read_passphrase` does: on the controlling terminal
/// (`/dev/tty`), with the answer hidden unless it may be shown, or through the SSH_ASKPASS program
/// when SSH_ASKPASS_REQUIRE says so (`force`; `prefer` with a display) or when there is no terminal
/// but a display. Nil when neither can be asked or the user gives nothing back.
enum TerminalPrompt {
    /// Asks `prompt` on a thread of its own, so that the connection's event loop goes on meanwhile.
    static func ask(_ prompt: String, echo: Bool = false) async -> String? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: askNow(prompt, echo: echo)) }.start()
        }
    }

    /// Prints `text` where the prompts go: the terminal, or standard error without one.
    static func tell(_ text: String) {
        let terminal = open("/dev/tty", O_WRONLY | O_CLOEXEC)
        let descriptor = terminal >= 0 ? terminal : 2
        _ = text.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
        if terminal >= 0 { close(terminal) }
    }

    static func askNow(_ prompt: String, echo: Bool) -> String? {
        let environment = ProcessInfo.processInfo.environment
        let require = environment["SSH_ASKPASS_REQUIRE"]
        let display = environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil
        let terminal = open("/dev/tty", O_RDWR | O_CLOEXEC)
        defer { if terminal >= 0 { close(terminal) } }
        let useAskPass: Bool =
            switch require {
            case "force": true
            case "never": false
            case "prefer": display
            default: terminal < 0 && display && environment["SSH_ASKPASS"] != nil
            }
        if useAskPass { return askPass(environment["SSH_ASKPASS"] ?? "/usr/bin/ssh-askpass", prompt) }
        guard terminal >= 0 else { return nil }
        return readLine(on: terminal, prompt: prompt, echo: echo)
    }

    /// Asks `question` through the SSH_ASKPASS program whatever SSH_ASKPASS_REQUIRE says, as ssh
    /// asks a ControlMaster ask question: an empty answer or `yes` allows, anything else refuses.
    static func confirm(_ question: String) -> Bool {
        let program = ProcessInfo.processInfo.environment["SSH_ASKPASS"] ?? "/usr/bin/ssh-askpass"
        guard let answer = askPass(program, question) else { return false }
        return answer.isEmpty || answer.lowercased() == "yes"
    }

    /// Runs the askpass program with `prompt` and takes the first line it prints; nil when it fails.
    private static func askPass(_ program: String, _ prompt: String) -> String? {
        guard let (status, answer) = ProcessSpawn.output([program, prompt]), status == 0 else { return nil }
        let line = answer.split(separator: UInt8(ascii: "\n"), maxSplits: 1, omittingEmptySubsequences: false).first ?? []
        return String(decoding: line.filter { $0 != UInt8(ascii: "\r") }, as: UTF8.self)
    }

    /// Writes `prompt` on the terminal and reads a line there, the echo off unless `echo`.
    private static func readLine(on terminal: Int32, prompt: String, echo: Bool) -> String? {
        _ = prompt.utf8CString.withUnsafeBufferPointer { write(terminal, $0.baseAddress, $0.count - 1) }
        var saved = termios()
        let quiet = !echo && tcgetattr(terminal, &saved) == 0
        if quiet {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(terminal, TCSAFLUSH, &silent)
        }
        defer {
            if quiet {
                tcsetattr(terminal, TCSAFLUSH, &saved)
                _ = write(terminal, "\n", 1)
            }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(terminal, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : String(decoding: line, as: UTF8.self) }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }
}
