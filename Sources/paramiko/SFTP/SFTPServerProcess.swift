import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process `paramiko sftp` talks SFTP to over pipes, as OpenSSH's sftp does: the local server of `-D`,
/// or the ssh program of `-S` that carries the session; started with pipes on its standard input and
/// output, its standard error left on ours.
struct SFTPServerProcess: Sendable {
    /// The server's process id.
    let pid: pid_t
    /// The byte stream to the server's pipes.
    let stream: SFTPByteStream

    /// Starts `command` (split as OpenSSH splits `-D`'s argument). Throws the message OpenSSH's sftp gives
    /// for a command line it cannot split or a program it cannot start.
    static func start(_ command: String) throws(SFTPServerProcess.Failure) -> SFTPServerProcess {
        let words: [String]
        do {
            words = try SFTPServerCommandLine.split(command)
        } catch {
            throw Failure(message: "Parse -D arguments: \(error.description)")
        }
        guard !words.isEmpty else { throw Failure(message: "No sftp server specified via -D") }
        return try start(words: words)
    }

    /// Starts `words` (the first is the program): `-D`'s server, or `-S`'s ssh program with its arguments.
    static func start(words: [String]) throws(SFTPServerProcess.Failure) -> SFTPServerProcess {
        let program = words.first ?? ""
        let toServer: (read: Int32, write: Int32)
        let fromServer: (read: Int32, write: Int32)
        do {
            toServer = try ProcessSpawn.pipe()
        } catch {
            throw Failure(message: "pipe: \(error.text)")
        }
        do {
            fromServer = try ProcessSpawn.pipe()
        } catch {
            close(toServer.read)
            close(toServer.write)
            throw Failure(message: "pipe: \(error.text)")
        }
        let pid: pid_t
        do {
            pid = try ProcessSpawn.start(words, input: toServer.read, output: fromServer.write)
        } catch {
            for descriptor in [toServer.read, toServer.write, fromServer.read, fromServer.write] {
                close(descriptor)
            }
            // OpenSSH's child reports the exec, then its parent finds the connection closed.
            throw Failure(message: "exec: \(program): \(error.text)\nConnection closed")
        }
        close(toServer.read)
        close(fromServer.write)
        return SFTPServerProcess(
            pid: pid, stream: SFTPPipeStream.make(readingFrom: fromServer.read, writingTo: toServer.write))
    }

    /// Waits for the server to exit (it does once the client closes the stream).
    func wait() async {
        _ = await ProcessSpawn.wait(pid)
    }

    /// A server that could not be started, with OpenSSH's message.
    struct Failure: Error {
        let message: String
    }
}
