import ArgumentParser
import Foundation
import SFTP

/// `paramiko sftp-server`: serves SFTP over standard input and output, as OpenSSH's `sftp-server` does, so
/// `sftp -D "paramiko sftp-server --root DIR"` or an SSH server's `Subsystem sftp` line can run it.
struct SFTPServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sftp-server",
        abstract: "Serve SFTP (version 3 with OpenSSH's extensions) over standard input and output."
    )

    @Option(help: "Serve this directory as / ; paths cannot leave it. Default: / (the whole file system).")
    var root: String = "/"

    @Option(
        help:
            "The directory relative paths start from, as clients see it. Default: the current directory when serving /, else /."
    )
    var home: String?

    func run() async throws {
        let start: String
        if let home {
            start = home
        } else if root == "/" {
            start = FileManager.default.currentDirectoryPath
        } else {
            start = "/"
        }
        let fileSystem: LocalFileSystem
        do {
            fileSystem = try LocalFileSystem(root: root, home: start)
        } catch {
            var standardError = StandardError()
            print("sftp-server: \(error)", to: &standardError)
            throw ExitCode(1)
        }
        let server = SFTPServer(fileSystem: fileSystem)
        do {
            try await server.run(over: SFTPPipeStream.standardInputOutput())
        } catch {
            var standardError = StandardError()
            print("sftp-server: \(error)", to: &standardError)
            throw ExitCode(1)
        }
    }
}
