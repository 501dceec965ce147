import NIOCore
import SSHServer
import SSHWire
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process runner behind `exec` and `shell` requests (RFC 4254 §6.2, §6.5, §6.7, §6.9, §6.10).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct LocalProcessTests {
    private static let environment = ["PATH": "/usr/local/bin:/usr/bin:/bin"]

    private static func start(
        _ command: String?, environment: [String: String] = environment, workingDirectory: String? = nil,
        terminal: TerminalRequest? = nil
    ) throws -> LocalProcess {
        try LocalProcess.start(
            command: command, environment: environment, workingDirectory: workingDirectory, terminal: terminal)
    }

    private static func collect(_ output: ProcessOutput) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in output { chunk.withUnsafeReadableBytes { bytes.append(contentsOf: $0) } }
        return bytes
    }

    private static func text(_ output: ProcessOutput) async throws -> String {
        String(decoding: try await collect(output), as: UTF8.self)
    }

    /// Reads `output` until `marker` has appeared, returning everything read so far.
    private static func read(
        _ iterator: inout ProcessOutput.AsyncIterator, until marker: String, into text: inout String
    ) async throws {
        while !text.contains(marker), let chunk = try await iterator.next() {
            text += String(decoding: chunk.readableBytesView, as: UTF8.self)
        }
    }

    private static let terminal = TerminalRequest(term: "xterm-test", columns: 100, rows: 30)

    // MARK: - Exit status and signals (RFC 4254 §6.9, §6.10)

    @Test func exitStatusIsReported() async throws {
        let process = try Self.start("exit 3")
        #expect(await process.wait() == .exited(3))
    }

    @Test func deathBySignalIsReportedByName() async throws {
        let process = try Self.start("kill -TERM $$")
        #expect(await process.wait() == .signaled(name: "TERM", coreDumped: false))
    }

    /// Waits until `pid` runs `command`: a shell started with `-c` catches SIGINT until it has exec'd
    /// the command, and acts on it only when a child it waits for has ended.
    private static func waitUntil(_ pid: pid_t, runs command: String) async throws {
        #if os(Linux)
        for _ in 0..<1000 {
            let name = (try? readFile("/proc/\(pid)/comm")).map { String(decoding: $0, as: UTF8.self) }
            if name == command + "\n" { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        #endif
    }

    @Test func signalRequestReachesTheProcess() async throws {
        let process = try Self.start("exec sleep 30")
        try await Self.waitUntil(process.pid, runs: "sleep")
        #expect(process.signal("INT"))
        #expect(await process.wait() == .signaled(name: "INT", coreDumped: false))
        #expect(!process.signal("TERM"))
    }

    @Test func unknownSignalNamesAreRefused() async throws {
        let process = try Self.start("sleep 30")
        #expect(!process.signal("WINCH"))
        #expect(!process.signal("SIGTERM"))
        #expect(!process.signal(""))
        #expect(process.signal("KILL"))
        #expect(await process.wait() == .signaled(name: "KILL", coreDumped: false))
    }

    @Test func terminateHangsUpTheProcessGroup() async throws {
        let process = try Self.start("sleep 30; echo never")
        process.terminate()
        #expect(await process.wait() == .signaled(name: "HUP", coreDumped: false))
        #expect(try await Self.text(process.standardOutput) == "")
    }

    @Test func terminateKillsWhatIgnoresTheHangup() async throws {
        let process = try Self.start("trap '' HUP; echo ready; sleep 30")
        var iterator = process.standardOutput.makeAsyncIterator()
        var text = ""
        try await Self.read(&iterator, until: "ready", into: &text)
        process.terminate()
        #expect(await process.wait() == .signaled(name: "KILL", coreDumped: false))
    }

    // MARK: - Pipes (RFC 4254 §5.2, §6.5)

    @Test func standardErrorIsSeparateWithoutATerminal() async throws {
        let process = try Self.start("echo out; echo err >&2")
        async let output = Self.text(process.standardOutput)
        async let error = Self.text(process.standardError)
        #expect(try await output == "out\n")
        #expect(try await error == "err\n")
        #expect(await process.wait() == .exited(0))
    }

    @Test func catEchoesTenMebibytesExactly() async throws {
        var state = UInt64.random(in: 1...UInt64.max)
        var data = [UInt8](repeating: 0, count: 10 << 20)
        data.withUnsafeMutableBytes { bytes in
            for index in stride(from: 0, to: bytes.count, by: 8) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.storeBytes(of: state, toByteOffset: index, as: UInt64.self)
            }
        }
        let process = try Self.start("cat")
        async let echoed = Self.collect(process.standardOutput)
        var offset = 0
        while offset < data.count {
            let end = min(offset + 32768, data.count)
            try await process.write(ByteBuffer(bytes: data[offset..<end]))
            offset = end
        }
        try await process.closeInput()
        let result = try await echoed
        #expect(result.count == data.count)
        #expect(result == data)
        #expect(await process.wait() == .exited(0))
    }

    @Test func writingAfterCloseInputFails() async throws {
        let process = try Self.start("cat")
        try await process.closeInput()
        try await process.closeInput()
        await #expect(throws: SSHServerError.self) { try await process.write(ByteBuffer(string: "late")) }
        #expect(await process.wait() == .exited(0))
    }

    @Test func environmentAndWorkingDirectoryAreHonoured() async throws {
        var environment = Self.environment
        environment["FOO"] = "bar baz"
        let process = try Self.start(
            "pwd; echo \"$FOO\"; echo \"${HOME-unset}\"", environment: environment, workingDirectory: "/")
        #expect(try await Self.text(process.standardOutput) == "/\nbar baz\nunset\n")
        #expect(await process.wait() == .exited(0))
    }

    @Test func shellRequestRunsALoginShell() async throws {
        let process = try Self.start(nil)
        try await process.write(ByteBuffer(string: "echo \"$0\"\nexit 7\n"))
        try await process.closeInput()
        #expect(try await Self.text(process.standardOutput) == "-sh\n")
        #expect(await process.wait() == .exited(7))
    }

    @Test func outputCanBeIteratedOnce() async throws {
        let process = try Self.start("echo once")
        #expect(try await Self.text(process.standardOutput) == "once\n")
        await #expect {
            _ = try await Self.collect(process.standardOutput)
        } throws: { error in
            (error as? SSHServerError)?.code == .outputAlreadyConsumed
        }
        #expect(await process.wait() == .exited(0))
    }

    @Test func startFailuresAreTyped() throws {
        #expect {
            _ = try Self.start("true", workingDirectory: "/nonexistent/directory")
        } throws: { error in
            (error as? SSHServerError)?.code == .workingDirectory
        }
        #expect {
            _ = try Self.start("true", workingDirectory: "/bin/sh")
        } throws: { error in
            (error as? SSHServerError)?.code == .workingDirectory
        }
        #expect {
            _ = try LocalProcess.start(
                command: "true", shell: "/nonexistent/sh", environment: [:], workingDirectory: nil, terminal: nil)
        } throws: { error in
            (error as? SSHServerError)?.code == .shellNotFound
        }
    }

    #if os(Linux)
    /// A process whose output nobody reads stops in `write` after a bounded amount instead of being
    /// buffered in memory; reading then drains it all.
    @Test func unreadOutputHoldsTheProcess() async throws {
        let total = 256 << 20
        let process = try Self.start("head -c \(total) /dev/zero")
        try await Task.sleep(for: .milliseconds(500))
        let state = try Self.processState(process.pid)
        #expect(state == "S")
        var count = 0
        for try await chunk in process.standardOutput { count += chunk.readableBytes }
        #expect(count == total)
        #expect(await process.wait() == .exited(0))
    }

    /// The child has only 0, 1 and 2; the server closes its copies of the child's ends and every
    /// descriptor once the process and its output are done.
    @Test func noDescriptorsLeak() async throws {
        // ls's own descriptor on the directory is 3.
        let listing = try Self.start("exec ls /proc/self/fd")
        #expect(try await Self.text(listing.standardOutput) == "0\n1\n2\n3\n")
        #expect(await listing.wait() == .exited(0))

        // The listing's channels close on the event loop just after its EOF and exit.
        let before = try await Self.settledDescriptorCount()
        for _ in 0..<5 {
            let piped = try Self.start("echo out; echo err >&2; cat")
            try await piped.write(ByteBuffer(string: "in\n"))
            try await piped.closeInput()
            async let output = Self.text(piped.standardOutput)
            async let error = Self.text(piped.standardError)
            #expect(try await output == "out\nin\n")
            #expect(try await error == "err\n")
            #expect(await piped.wait() == .exited(0))

            let onTerminal = try Self.start("echo done", terminal: Self.terminal)
            #expect(try await Self.text(onTerminal.standardOutput) == "done\r\n")
            #expect(await onTerminal.wait() == .exited(0))
        }
        let after = try await Self.settledDescriptorCount()
        #expect(after == before)
    }

    /// The number of open descriptors once it has stopped changing for 100 ms (channels close on the
    /// event loop just after their EOF), or after 5 s.
    private static func settledDescriptorCount() async throws -> Int {
        var count = try openDescriptors()
        var stable = 0
        for _ in 0..<250 where stable < 5 {
            try await Task.sleep(for: .milliseconds(20))
            let now = try openDescriptors()
            stable = now == count ? stable + 1 : 0
            count = now
        }
        return count
    }

    private static func processState(_ pid: pid_t) throws -> String {
        let stat = try String(decoding: readFile("/proc/\(pid)/stat"), as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return "?" }
        return String(stat[stat.index(close, offsetBy: 2)])
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw SSHServerError(.descriptors, "open \(path)") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    private static func openDescriptors() throws -> Int {
        guard let directory = opendir("/proc/self/fd") else { throw SSHServerError(.descriptors, "opendir") }
        defer { closedir(directory) }
        var count = 0
        while readdir(directory) != nil { count += 1 }
        return count
    }
    #endif

    // MARK: - Pseudo-terminal (RFC 4254 §6.2, §6.7)

    @Test func terminalIsTheControllingTerminal() async throws {
        let process = try Self.start("tty; echo ctty > /dev/tty; stty size; echo \"$TERM\"", terminal: Self.terminal)
        #expect(process.hasTerminal)
        let output = try await Self.text(process.standardOutput)
        let lines = output.split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("/dev/pts/") == true)
        #expect(Array(lines.dropFirst()) == ["ctty", "30 100", "xterm-test", ""])
        #expect(try await Self.collect(process.standardError).isEmpty)
        #expect(await process.wait() == .exited(0))
    }

    @Test func windowChangeResizesTheTerminal() async throws {
        let process = try Self.start("stty size; read line; stty size", terminal: Self.terminal)
        var iterator = process.standardOutput.makeAsyncIterator()
        var text = ""
        try await Self.read(&iterator, until: "30 100\r\n", into: &text)
        process.resize(columns: 132, rows: 43, pixelWidth: 0, pixelHeight: 0)
        try await process.write(ByteBuffer(string: "\n"))
        try await Self.read(&iterator, until: "43 132\r\n", into: &text)
        #expect(text.hasSuffix("43 132\r\n"))
        #expect(await process.wait() == .exited(0))
    }

    @Test func closeInputTypesEndOfFile() async throws {
        let process = try Self.start("cat; echo cat-ended", terminal: Self.terminal)
        try await process.write(ByteBuffer(string: "hello\n"))
        try await process.closeInput()
        let output = try await Self.text(process.standardOutput)
        // The terminal echoes the line, cat prints it, and ^D ends cat.
        #expect(output == "hello\r\nhello\r\ncat-ended\r\n")
        #expect(await process.wait() == .exited(0))
    }

    @Test func closeInputTypesTheTerminalsOwnEndOfFileCharacter() async throws {
        let request = TerminalRequest(term: "vt100", columns: 80, rows: 24, modes: TerminalModes([.init(.VEOF, 1)]))
        let process = try Self.start("cat; echo cat-ended", terminal: request)
        try await process.closeInput()
        #expect(try await Self.text(process.standardOutput) == "cat-ended\r\n")
        #expect(await process.wait() == .exited(0))
    }

    @Test func terminalModesAreApplied() async throws {
        let modes = TerminalModes([
            .init(.ECHO, 0), .init(.VERASE, 8), .init(.VINTR, 255), .init(.ONLCR, 0), .init(.TTY_OP_OSPEED, 19200),
        ])
        let request = TerminalRequest(term: "vt100", columns: 80, rows: 24, modes: modes)
        let process = try Self.start("stty -a", terminal: request)
        let output = try await Self.text(process.standardOutput)
        #expect(output.contains("-echo "))
        #expect(output.contains("erase = ^H;"))
        #expect(output.contains("intr = <undef>;"))
        #expect(output.contains("-onlcr"))
        #expect(output.contains("speed 19200 baud"))
        #expect(!output.contains("\r\n"))
        #expect(await process.wait() == .exited(0))
    }

    @Test func interruptCharacterSignalsTheForegroundGroup() async throws {
        let process = try Self.start("exec sleep 30", terminal: Self.terminal)
        try await Self.waitUntil(process.pid, runs: "sleep")
        try await process.write(ByteBuffer(bytes: [3]))
        let termination = await process.wait()
        #expect(termination == .signaled(name: "INT", coreDumped: false))
    }

    @Test func pseudoTerminalRequestConverts() {
        let wire = ChannelRequestType.PseudoTerminal(
            term: "xterm", size: .init(columns: 80, rows: 24, widthPixels: 640, heightPixels: 480),
            modes: TerminalModes([.init(.ECHO, 1)]))
        let request = TerminalRequest(wire)
        let expected = TerminalRequest(
            term: "xterm", columns: 80, rows: 24, pixelWidth: 640, pixelHeight: 480,
            modes: TerminalModes([.init(.ECHO, 1)]))
        #expect(request == expected)
    }
}
