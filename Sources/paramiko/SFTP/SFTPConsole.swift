#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `paramiko sftp` writes: results to standard output, diagnostics to standard error.
///
/// Every call is one unbuffered `write(2)`, so lines keep their order when both streams go to one place and
/// a progress meter drawn from the transfer's reader thread never interleaves inside a line.
struct SFTPConsole: Sendable {
    /// The descriptor results go to.
    var output: Int32 = STDOUT_FILENO
    /// The descriptor diagnostics go to.
    var errors: Int32 = STDERR_FILENO

    /// Writes `line` and a newline to standard output.
    func print(_ line: String) {
        write(line + "\n", to: output)
    }

    /// Writes `text` as it is to standard output (prompts, progress lines).
    func printRaw(_ text: String) {
        write(text, to: output)
    }

    /// Writes `line` and a newline to standard error, with backslashes doubled and control characters
    /// written in octal, as OpenSSH's log does (`strnvis` with `VIS_SAFE | VIS_OCTAL`).
    func error(_ line: String) {
        write(Self.visible(line) + "\n", to: errors)
    }

    /// `text` with `\` as `\\` and control characters other than tab, newline, return, backspace and
    /// bell as `\ooo`.
    static func visible(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C:
                result += "\\\\"
            case 0x07, 0x08, 0x09, 0x0A, 0x0D:
                result.unicodeScalars.append(scalar)
            case 0..<0x20, 0x7F:
                let octal = String(scalar.value, radix: 8)
                result += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// True when standard output is a terminal.
    var outputIsTerminal: Bool { isatty(output) == 1 }

    /// The width of the terminal on `descriptor`, or 80 when it is not one (OpenSSH's default).
    static func columns(of descriptor: Int32) -> Int {
        var size = winsize()
        #if os(Linux)
            let request = UInt(TIOCGWINSZ)
        #else
            let request = TIOCGWINSZ
        #endif
        guard ioctl(descriptor, request, &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, base + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// `write(2)`, named apart from the `write` methods in scope.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
