import ArgumentParser

/// The `paramiko` command: SSH client, server, SFTP and key tools in one executable.
@main
struct ParamikoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paramiko",
        abstract: "SSHv2 client, server, SFTP and key tools.",
        subcommands: [
            BenchCommand.self,
            DemoCommand.self,
            ConfigCommand.self,
            KeygenCommand.self,
            ServeCommand.self,
            SSHCommand.self,
            SFTPCommand.self,
            SFTPServerCommand.self,
        ]
    )
}
