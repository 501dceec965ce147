import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads configuration files into `Options` for one host, the way OpenSSH's `read_config_file` does:
/// `Host` and `Match` switch lines on and off, `Include` reads further files, and every line is checked
/// whether it applies or not.
struct ConfigReader {
    /// How a file is being read.
    struct Flags: OptionSet, Sendable {
        let rawValue: Int
        /// A user configuration: relative `Include` paths are under `~/.ssh`.
        static let userConfig = Flags(rawValue: 1)
        /// The final pass (`Match final`, `Match canonical`).
        static let finalPass = Flags(rawValue: 2)
        /// Included from an inactive block: nothing in it may apply.
        static let neverMatch = Flags(rawValue: 4)
        /// Refuse a file another user owns or others may write (included files, `~/.ssh/config`).
        static let checkPermissions = Flags(rawValue: 8)
    }

    /// OpenSSH's `READCONF_MAX_DEPTH`.
    static let maximumIncludeDepth = 16

    var options: Options
    let environment: SSHConfigEnvironment
    /// The name `Host` lines match: the host argument, or the canonical name in the final pass.
    let host: String
    /// The host as given on the command line (`Match originalhost`, `%n`).
    let originalHost: String
    var wantFinalPass = false
    private var includeStack: [String] = []

    init(options: Options, environment: SSHConfigEnvironment, host: String, originalHost: String) {
        self.options = options
        self.environment = environment
        self.host = host
        self.originalHost = originalHost
    }

    /// Reads a configuration file. A missing top-level file is not an error unless `required`.
    mutating func read(file path: String, flags: Flags, required: Bool) throws(ConfigError) {
        var active = true
        try read(file: path, flags: flags, active: &active, depth: 0, required: required)
    }

    /// Reads configuration text held in memory, named `name` in errors.
    mutating func read(text: String, name: String, flags: Flags) throws(ConfigError) {
        var active = true
        includeStack.append(name)
        defer { includeStack.removeLast() }
        try read(lines: text, name: name, flags: flags, active: &active, depth: 0)
    }

    private mutating func read(file path: String, flags: Flags, active: inout Bool, depth: Int, required: Bool)
        throws(ConfigError)
    {
        guard depth <= Self.maximumIncludeDepth else {
            throw ConfigError(.includeTooDeep, file: path, "Too many recursive configuration includes")
        }
        // Bytes, not text: ssh reads files in any encoding. Read to the end rather than by the
        // size the file claims, so that `-F /dev/null` (size 0, a device) reads as empty.
        guard let handle = FileHandle(forReadingAtPath: path), let data = try? handle.readToEnd() ?? Data() else {
            if !required && !FileManager.default.fileExists(atPath: path) { return }
            throw ConfigError(.unreadableFile, file: path, "Can't open user config file \(path)")
        }
        try? handle.close()
        let contents = String(decoding: data, as: UTF8.self)
        if flags.contains(.checkPermissions) && !Self.hasSafePermissions(path, userID: environment.userID) {
            throw ConfigError(.insecureFile, file: path, "Bad owner or permissions on \(path)")
        }
        includeStack.append(path)
        defer { includeStack.removeLast() }
        try read(lines: contents, name: path, flags: flags, active: &active, depth: depth)
    }

    private mutating func read(lines text: String, name: String, flags: Flags, active: inout Bool, depth: Int)
        throws(ConfigError)
    {
        var number = 0
        // Split on bytes: "\r\n" is one Character, and a CRLF file is still one line per LF.
        for line in text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false) {
            number += 1
            let lineText = String(decoding: line, as: UTF8.self)
            guard let raw = LineTokenizer.split(line: lineText, number: number) else { continue }
            try process(raw, file: name, flags: flags, active: &active, depth: depth)
        }
    }

    private mutating func process(_ line: RawLine, file: String, flags: Flags, active: inout Bool, depth: Int)
        throws(ConfigError)
    {
        func fail(_ code: ConfigError.Code, _ detail: String) -> ConfigError {
            ConfigError(code, file: file, line: line.number, detail)
        }
        guard !line.rest.isEmpty else {
            throw fail(.missingArgument, "no argument after keyword \"\(line.keyword)\"")
        }
        let lookup = SSHConfigKeyword.lookup(line.keyword)
        if lookup == nil {
            let ignored = options.values[.ignoreUnknown].map {
                HostPattern.matchList(line.keyword, patterns: $0, lowercasingPatterns: true) == .matched
            }
            if ignored != true { throw fail(.unknownKeyword, "Bad configuration option: \(line.keyword)") }
        }
        guard let arguments = LineTokenizer.arguments(line.rest) else { throw fail(.badQuoting, "invalid quotes") }
        guard case .keyword(let keyword) = lookup else { return }
        var context = LineContext(
            line: line, file: file, arguments: arguments, active: active, userConfig: flags.contains(.userConfig),
            variables: environment.variables)
        switch keyword {
        case .host:
            active = try matchHost(&context, neverMatch: flags.contains(.neverMatch))
        case .match:
            let matched = try MatchEvaluator(reader: self, context: context, finalPass: flags.contains(.finalPass))
                .evaluate(wantFinalPass: &wantFinalPass)
            active = flags.contains(.neverMatch) ? false : matched
            context.consumeAll()
        case .include:
            try include(&context, flags: flags, active: &active, depth: depth)
        default:
            var applier = KeywordApplier(context: context)
            try applier.apply(keyword, to: &options)
            context = applier.context
        }
        try context.requireConsumed()
    }

    /// `Host pattern ...`: active when some pattern matches and no negated one does.
    private func matchHost(_ context: inout LineContext, neverMatch: Bool) throws(ConfigError) -> Bool {
        var active = false
        while let pattern = context.next() {
            if pattern.isEmpty { throw context.error(.badValue, "keyword host empty argument") }
            if neverMatch {
                context.consumeAll()
                break
            }
            let negated = pattern.hasPrefix("!")
            if HostPattern.matches(host, pattern: negated ? String(pattern.dropFirst()) : pattern) {
                if negated {
                    context.consumeAll()
                    return false
                }
                active = true
            }
        }
        return active
    }

    /// `Include path ...`: each path a glob, relative ones under `~/.ssh` (user files) or `/etc/ssh`.
    private mutating func include(_ context: inout LineContext, flags: Flags, active: inout Bool, depth: Int)
        throws(ConfigError)
    {
        while let argument = context.next() {
            if argument.isEmpty { throw context.error(.badValue, "keyword include empty argument") }
            if argument.hasPrefix("~") && !flags.contains(.userConfig) {
                throw context.error(.badValue, "bad include path \(argument).")
            }
            var path = argument
            if !path.hasPrefix("/") && !path.hasPrefix("~") {
                path = (flags.contains(.userConfig) ? "~/.ssh" : environment.systemDirectory) + "/" + path
            }
            // glob(3) with GLOB_TILDE, as ssh uses it: `~` is $HOME when set, else the user's home directory.
            path = TildeExpansion.expand(path, home: environment.variables["HOME"] ?? environment.homeDirectory)
            let outerActive = active
            for match in Self.glob(path) {
                if includeStack.contains(match) {
                    throw context.error(.includeLoop, "Include loop: \(match) is already being read")
                }
                if depth + 1 > Self.maximumIncludeDepth {
                    throw context.error(.includeTooDeep, "Too many recursive configuration includes")
                }
                var nested = flags.union(.checkPermissions)
                if !outerActive { nested.insert(.neverMatch) }
                try read(file: match, flags: nested, active: &active, depth: depth + 1, required: false)
                active = outerActive
            }
        }
    }

    /// OpenSSH's `secure_permissions`: owned by root or the user, and writable by neither group nor others.
    static func hasSafePermissions(_ path: String, userID: UInt32) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return true }
        return (info.st_uid == 0 || info.st_uid == userID) && info.st_mode & 0o022 == 0
    }

    /// Expands a glob pattern into sorted existing paths.
    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        #if canImport(Glibc)
            let status = Glibc.glob(pattern, 0, nil, &result)
        #else
            let status = Darwin.glob(pattern, 0, nil, &result)
        #endif
        guard status == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths
    }
}

/// The arguments of one line being applied, consumed in order; leftovers are an error as in `ssh`.
struct LineContext {
    let line: RawLine
    let file: String
    let arguments: [String]
    /// Whether the line applies to this host.
    let active: Bool
    /// Whether the file is a user configuration (for `IdentityFile` bookkeeping and `Include`).
    let userConfig: Bool
    /// The environment `${NAME}` references are checked against.
    let variables: [String: String]
    private(set) var position = 0

    var remaining: Int { arguments.count - position }

    mutating func next() -> String? {
        guard position < arguments.count else { return nil }
        position += 1
        return arguments[position - 1]
    }

    func peek() -> String? { position < arguments.count ? arguments[position] : nil }

    mutating func consumeAll() { position = arguments.count }

    /// The next argument, which must be present and non-empty.
    mutating func required(_ message: String = "Missing argument.") throws(ConfigError) -> String {
        guard let value = next(), !value.isEmpty else { throw error(.missingArgument, message) }
        return value
    }

    func error(_ code: ConfigError.Code, _ detail: String) -> ConfigError {
        ConfigError(code, file: file, line: line.number, detail)
    }

    func requireConsumed() throws(ConfigError) {
        if remaining > 0 { throw error(.badValue, "keyword \(line.keyword) extra arguments at end of line") }
    }
}
