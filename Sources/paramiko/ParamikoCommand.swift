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

extension ParamikoCommand {
    /// Reads `paramiko ssh`'s and `paramiko sftp`'s options the way OpenSSH's getopt does before
    /// the argument parser sees them: flags run together (`-qN`), values joined to their letter
    /// (`-p2222`, `-oName=value`), options up to the destination; what follows it is the command.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let subcommand = arguments.first, let letters = optionsWithValues[subcommand] {
            arguments = [subcommand] + Self.getopt(Array(arguments.dropFirst()), valueLetters: letters)
        }
        await main(arguments)
    }

    /// The option letters that take a value, as ssh's and sftp's getopt strings have them.
    static let optionsWithValues: [String: Set<Character>] = [
        "ssh": Set("bceilmopBDEFIJLOPQRSwW"),
        "sftp": Set("cDiloSsbBFJPRX"),
    ]

    /// `arguments` with each option on its own and each value in the argument after its option.
    static func getopt(_ arguments: [String], valueLetters: Set<Character>) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            guard argument.hasPrefix("-"), argument.count > 1, argument != "--" else {
                // The end of the options: `--` or the first operand; the rest goes as it is.
                return result + arguments[index...]
            }
            if argument.hasPrefix("--") {
                // A long option (`--help`) is the parser's own.
                result.append(argument)
                index += 1
                continue
            }
            var letters = argument.dropFirst()
            while let letter = letters.first {
                letters = letters.dropFirst()
                result.append("-" + String(letter))
                guard valueLetters.contains(letter) else { continue }
                if !letters.isEmpty {
                    result.append(String(letters))
                } else if index + 1 < arguments.count {
                    index += 1
                    result.append(arguments[index])
                }
                break
            }
            index += 1
        }
        return result
    }
}
