#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `!command`, `!` and `lls`: the user's shell (`$SHELL`, else `/bin/sh`) run on this machine with our
/// standard input and output, as OpenSSH's sftp runs it (`local_do_shell`).
enum SFTPLocalShell {
    /// Runs `command` with `$SHELL -c`, or an interactive shell when it is empty. Returns the message for a
    /// shell that could not start or did not exit with 0, or nil.
    static func run(_ command: String) async -> String? {
        var shell = "/bin/sh"
        if let variable = getenv("SHELL"), variable.pointee != 0 { shell = String(cString: variable) }
        let arguments = command.isEmpty ? [shell] : [shell, "-c", command]
        let pid: pid_t
        do {
            pid = try ProcessSpawn.start(arguments)
        } catch {
            return "Couldn't execute \"\(shell)\": \(error.text)"
        }
        let status = await ProcessSpawn.wait(pid)
        if status & 0x7f != 0 { return "Shell exited abnormally" }
        let code = (status >> 8) & 0xff
        return code == 0 ? nil : "Shell exited with status \(code)"
    }

    /// `lls`: `ls` with `arguments` as typed, through the shell.
    static func list(_ arguments: String) async -> String? {
        await run(arguments.isEmpty ? "ls" : "ls " + arguments)
    }
}
