/// One command of `paramiko sftp`, parsed from its line: OpenSSH sftp(1)'s commands with their flags.
///
/// Paths are as the user typed them. Those a command globs (`get`'s and `put`'s sources, `ls`, `rm`,
/// `chmod`, `chown`, `chgrp`) keep the tokenizer's glob escapes; the others are unescaped already.
enum SFTPShellCommand: Equatable, Sendable {
    /// The flags of `get`, `put`, `reget` and `reput` (`-a`, `-f`, `-p`/`-P`, `-r`/`-R`).
    struct TransferFlags: Equatable, Sendable {
        /// Continue a partial transfer (`-a`, and always for `reget` and `reput`).
        var resume = false
        /// Have the copy flushed to disk (`-f`): the local file on `get`, the remote one on `put` when the
        /// server offers `fsync@openssh.com`.
        var fsync = false
        /// Copy permissions and times (`-p`).
        var preserve = false
        /// Copy directories recursively (`-r`).
        var recursive = false
    }

    /// How `ls` lays out and orders its entries (`-1afhlnrSt`).
    struct ListingFlags: Equatable, Sendable {
        /// The order entries are listed in.
        enum Order: Equatable, Sendable { case name, time, size, none }

        /// One name per line (`-1`).
        var singleColumn = false
        /// `ls -l` lines (`-l`, and `-n`).
        var long = false
        /// Numeric owners (`-n`).
        var numeric = false
        /// Sizes as 1.5K, 20M… (`-h`).
        var humanReadable = false
        /// Names starting with `.` too (`-a`).
        var all = false
        /// Reverse the order (`-r`).
        var reverse = false
        /// The order (`-S`, `-t`, `-f`; by name otherwise).
        var order = Order.name
    }

    case get(source: String, destination: String?, flags: TransferFlags)
    case put(source: String, destination: String?, flags: TransferFlags)
    case copy(from: String, to: String)
    case rename(from: String, to: String, legacy: Bool)
    case link(target: String, path: String, symbolic: Bool)
    case remove(String)
    case makeDirectory(String)
    case removeDirectory(String)
    case changeDirectory(String?)
    case localChangeDirectory(String?)
    case localMakeDirectory(String)
    case list(String?, ListingFlags)
    case localList(arguments: String)
    case diskFree(String?, humanReadable: Bool, inodes: Bool)
    case changeMode(UInt32, path: String, noFollow: Bool)
    case changeOwner(UInt32, path: String, noFollow: Bool)
    case changeGroup(UInt32, path: String, noFollow: Bool)
    case localUmask(UInt32)
    case shell(String)
    case printDirectory
    case printLocalDirectory
    case help
    case version
    case toggleProgress
    case quit
}

/// A line of sftp input, parsed as OpenSSH's sftp does (`parse_args` in sftp.c): a `-` prefix ignores the
/// command's failure in batch mode, an `@` prefix keeps it from being echoed, blank lines and `#` comments do
/// nothing.
struct SFTPShellLine: Equatable, Sendable {
    /// What the line holds.
    enum Content: Equatable, Sendable {
        /// Nothing to run.
        case blank
        /// A command.
        case command(SFTPShellCommand)
        /// A line that cannot run, with OpenSSH's message for it.
        case invalid(String)
    }

    /// A failure of the line does not end a batch (`-` prefix).
    var ignoresErrors = false
    /// The line is echoed when commands are (no `@` prefix).
    var echoes = true
    /// The parsed line.
    var content = Content.blank

    /// The command names and what they are (OpenSSH's `cmds` table; matched without regard to case).
    private static let names: [String: Name] = [
        "bye": .quit, "cd": .changeDirectory, "chdir": .changeDirectory, "chgrp": .changeGroup,
        "chmod": .changeMode, "chown": .changeOwner, "copy": .copy, "cp": .copy, "df": .diskFree, "dir": .list,
        "exit": .quit, "get": .get, "help": .help, "lcd": .localChangeDirectory, "lchdir": .localChangeDirectory,
        "lls": .localList, "lmkdir": .localMakeDirectory, "ln": .link, "lpwd": .printLocalDirectory, "ls": .list,
        "lumask": .localUmask, "mkdir": .makeDirectory, "mget": .get, "mput": .put, "progress": .toggleProgress,
        "put": .put, "pwd": .printDirectory, "quit": .quit, "reget": .reget, "rename": .rename, "reput": .reput,
        "rm": .remove, "rmdir": .removeDirectory, "symlink": .symlink, "version": .version, "?": .help,
    ]

    /// The commands, before their arguments are read.
    private enum Name {
        case quit, changeDirectory, changeGroup, changeMode, changeOwner, copy, diskFree, list, get, help
        case localChangeDirectory, localList, localMakeDirectory, link, printLocalDirectory, localUmask
        case makeDirectory, put, toggleProgress, printDirectory, reget, rename, reput, remove, removeDirectory
        case symlink, version
    }

    /// Parses `line`.
    init(_ line: String) {
        var rest = Substring(line).drop(while: Self.isSeparator)
        while let first = rest.first, first == "-" || first == "@" {
            if first == "-" { ignoresErrors = true } else { echoes = false }
            rest = rest.dropFirst()
        }
        rest = rest.drop(while: Self.isSeparator)
        guard let first = rest.first, first != "#" else { return }
        let words: [String]
        do {
            words = try SFTPShellTokenizer.split(String(rest))
        } catch {
            content = .invalid(error.description)
            return
        }
        if first == "!" {
            content = .command(.shell(String(rest.dropFirst())))
            return
        }
        guard let commandWord = words.first, let name = Self.names[commandWord.lowercased()] else {
            content = .invalid("Invalid command.")
            return
        }
        let command = commandWord.lowercased()
        do {
            content = .command(try Self.command(name, command, words, rest: rest))
        } catch {
            content = .invalid(error.message)
        }
    }

    /// OpenSSH's `WHITESPACE` set, which separates a line's prefix from its command.
    private static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "\t" || character == "\r" || character == "\n"
    }

    /// A parse failure, with OpenSSH's message for it.
    struct FailureMessage: Error {
        let message: String
    }

    private static func command(_ name: Name, _ command: String, _ words: [String], rest: Substring)
        throws(FailureMessage)
        -> SFTPShellCommand
    {
        switch name {
        case .get, .reget, .put, .reput:
            let (options, operands) = try SFTPOptionScanner.scan(words, allowing: "afPpRr", command: command)
            var flags = SFTPShellCommand.TransferFlags()
            flags.resume = options.contains("a") || name == .reget || name == .reput
            flags.fsync = options.contains("f")
            flags.preserve = options.contains("p") || options.contains("P")
            flags.recursive = options.contains("r") || options.contains("R")
            guard let source = operands.first else {
                throw FailureMessage(message: "You must specify at least one path after a \(command) command.")
            }
            let destination = operands.count > 1 ? SFTPShellTokenizer.unescapeGlob(operands[1]) : nil
            if name == .get || name == .reget {
                return .get(source: source, destination: destination, flags: flags)
            }
            return .put(source: source, destination: destination, flags: flags)
        case .link, .copy, .rename, .symlink:
            let allowed = name == .link ? "s" : name == .rename ? "l" : ""
            let (options, operands) = try SFTPOptionScanner.scan(words, allowing: allowed, command: command)
            guard operands.count >= 2 else {
                throw FailureMessage(message: "You must specify two paths after a \(command) command.")
            }
            let first = SFTPShellTokenizer.unescapeGlob(operands[0])
            let second = SFTPShellTokenizer.unescapeGlob(operands[1])
            switch name {
            case .link: return .link(target: first, path: second, symbolic: options.contains("s"))
            case .symlink: return .link(target: first, path: second, symbolic: true)
            case .rename: return .rename(from: first, to: second, legacy: options.contains("l"))
            default: return .copy(from: first, to: second)
            }
        case .remove, .makeDirectory, .removeDirectory, .localMakeDirectory, .changeDirectory,
            .localChangeDirectory:
            let (_, operands) = try SFTPOptionScanner.scan(words, allowing: "", command: command)
            guard let path = operands.first else {
                if name == .changeDirectory { return .changeDirectory(nil) }
                if name == .localChangeDirectory { return .localChangeDirectory(nil) }
                throw FailureMessage(message: "You must specify a path after a \(command) command.")
            }
            switch name {
            case .remove: return .remove(path)
            case .makeDirectory: return .makeDirectory(SFTPShellTokenizer.unescapeGlob(path))
            case .removeDirectory: return .removeDirectory(SFTPShellTokenizer.unescapeGlob(path))
            case .localMakeDirectory: return .localMakeDirectory(SFTPShellTokenizer.unescapeGlob(path))
            case .changeDirectory: return .changeDirectory(SFTPShellTokenizer.unescapeGlob(path))
            default: return .localChangeDirectory(SFTPShellTokenizer.unescapeGlob(path))
            }
        case .diskFree:
            let (options, operands) = try SFTPOptionScanner.scan(words, allowing: "hi", command: command)
            return .diskFree(
                operands.first.map(SFTPShellTokenizer.unescapeGlob), humanReadable: options.contains("h"),
                inodes: options.contains("i"))
        case .list:
            let (options, operands) = try SFTPOptionScanner.scan(words, allowing: "1Safhlnrt", command: "ls")
            var flags = SFTPShellCommand.ListingFlags()
            for option in options {
                switch option {
                case "1":
                    flags.singleColumn = true
                    flags.long = false
                    flags.numeric = false
                    flags.humanReadable = false
                case "S": flags.order = .size
                case "a": flags.all = true
                case "f": flags.order = .none
                case "h": flags.humanReadable = true
                case "l":
                    flags.singleColumn = false
                    flags.long = true
                case "n":
                    flags.singleColumn = false
                    flags.long = true
                    flags.numeric = true
                case "r": flags.reverse = true
                default: flags.order = .time
                }
            }
            return .list(operands.first, flags)
        case .localList:
            let arguments = rest.dropFirst(command.count).drop(while: isSeparator)
            return .localList(arguments: String(arguments))
        case .localUmask, .changeMode, .changeOwner, .changeGroup:
            let allowed = name == .localUmask ? "" : "h"
            let (options, operands) = try SFTPOptionScanner.scan(words, allowing: allowed, command: command)
            let base = name == .localUmask || name == .changeMode ? 8 : 0
            guard let text = operands.first, let number = SFTPNumberParser.parse(text, base: base) else {
                throw FailureMessage(message: "You must supply a numeric argument to the \(command) command.")
            }
            if name == .localUmask { return .localUmask(number) }
            guard operands.count >= 2 else {
                throw FailureMessage(message: "You must specify a path after a \(command) command.")
            }
            let path = operands[1]
            let noFollow = options.contains("h")
            switch name {
            case .changeMode: return .changeMode(number, path: path, noFollow: noFollow)
            case .changeOwner: return .changeOwner(number, path: path, noFollow: noFollow)
            default: return .changeGroup(number, path: path, noFollow: noFollow)
            }
        case .quit, .printDirectory, .printLocalDirectory, .help, .version, .toggleProgress:
            _ = try SFTPOptionScanner.scan(words, allowing: "", command: command)
            switch name {
            case .quit: return .quit
            case .printDirectory: return .printDirectory
            case .printLocalDirectory: return .printLocalDirectory
            case .help: return .help
            case .version: return .version
            default: return .toggleProgress
            }
        }
    }
}
