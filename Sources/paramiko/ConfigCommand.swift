import ArgumentParser
import Foundation
import SSHConfig

/// `paramiko config -G`: evaluates ssh_config(5) for a host and prints the result as `ssh -G` does.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Evaluate ssh_config for a host and print the resolved options as `ssh -G` does."
    )

    @Flag(name: .customShort("G"), help: "Print the configuration that applies to the host and exit.")
    var printConfiguration = false

    @Option(name: .customShort("F"), help: "Read this file instead of ~/.ssh/config and /etc/ssh/ssh_config.")
    var file: String?

    @Option(name: .customShort("p"), help: "The port to connect to.")
    var port: Int?

    @Option(name: .customShort("l"), help: "The user to log in as.")
    var user: String?

    @Argument(help: "The destination: [user@]host.")
    var destination: String

    func run() throws {
        guard printConfiguration else {
            throw ValidationError("only -G is supported: paramiko config -G [-F file] [-p port] [-l user] host")
        }
        var host = destination
        var loginUser = user
        if let at = destination.lastIndex(of: "@") {
            if loginUser == nil { loginUser = String(destination[..<at]) }
            host = String(destination[destination.index(after: at)...])
        }
        let config: SSHConfig
        if let file {
            config = file == "none" ? SSHConfig(sources: []) : SSHConfig(file: file)
        } else {
            config = SSHConfig.standard()
        }
        do {
            let resolved = try config.resolve(host: host, user: loginUser, port: port)
            print(resolved.sshGLines.joined(separator: "\n"))
        } catch {
            var standardError = StandardError()
            print(Self.sshStyleMessage(error), to: &standardError)
            throw ExitCode(255)
        }
    }

    /// The error as `ssh` words it: a bad line is followed by the count of bad options in its file.
    static func sshStyleMessage(_ error: ConfigError) -> String {
        guard let file = error.file, let line = error.line else { return error.description }
        let location = error.code == .unknownKeyword ? "\(file): line \(line)" : "\(file) line \(line)"
        let countsAsBadOption = ![.includeLoop, .includeTooDeep, .unreadableFile, .insecureFile].contains(error.code)
        let trailer = countsAsBadOption ? "\n\(file): terminating, 1 bad configuration options" : ""
        return "\(location): \(error.detail)" + trailer
    }
}

/// Standard error as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
