import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything outside the configuration files that evaluating them consults: the local user, the host name,
/// the environment, and the commands, resolver and interfaces that `Match exec`, `CanonicalizeHostname` and
/// `Match localnetwork` use. Tests inject their own.
public struct SSHConfigEnvironment: Sendable {
    /// The local user's name (`%u`, `Match localuser`).
    public var localUser: String
    /// The local user's numeric id (`%i`).
    public var userID: UInt32
    /// The local user's home directory (`~`, `%d`).
    public var homeDirectory: String
    /// The local host name, fully qualified if the system says so (`%l`; `%L` is its first label).
    public var localHostname: String
    /// Environment variables for `${NAME}`.
    public var variables: [String: String]
    /// The directory relative system `Include` paths are read from (`/etc/ssh`).
    public var systemDirectory: String
    /// Runs a `Match exec` command and returns its exit status, or nil when it did not exit normally.
    public var runCommand: @Sendable (String) -> Int32?
    /// Resolves a name for `CanonicalizeHostname` and returns its canonical name, or nil when it does not
    /// resolve.
    public var resolveHost: @Sendable (String) -> String?
    /// The numeric addresses of the local interfaces that are up, for `Match localnetwork`.
    public var interfaceAddresses: @Sendable () -> [String]

    /// Creates an environment; the closures default to running nothing, resolving nothing and no interfaces.
    public init(
        localUser: String, userID: UInt32, homeDirectory: String, localHostname: String,
        variables: [String: String] = [:], systemDirectory: String = "/etc/ssh",
        runCommand: @escaping @Sendable (String) -> Int32? = { _ in 1 },
        resolveHost: @escaping @Sendable (String) -> String? = { _ in nil },
        interfaceAddresses: @escaping @Sendable () -> [String] = { [] }
    ) {
        self.localUser = localUser
        self.userID = userID
        self.homeDirectory = homeDirectory
        self.localHostname = localHostname
        self.variables = variables
        self.systemDirectory = systemDirectory
        self.runCommand = runCommand
        self.resolveHost = resolveHost
        self.interfaceAddresses = interfaceAddresses
    }

    /// The environment of this process, as `ssh` would see it.
    public static func current() -> SSHConfigEnvironment {
        let uid = getuid()
        var name = ProcessInfo.processInfo.environment["USER"] ?? "root"
        var home = ProcessInfo.processInfo.environment["HOME"] ?? "/"
        if let entry = getpwuid(uid) {
            name = String(cString: entry.pointee.pw_name)
            home = String(cString: entry.pointee.pw_dir)
        }
        var buffer = [CChar](repeating: 0, count: 256)
        let hostname = gethostname(&buffer, buffer.count) == 0 ? string(fromCString: buffer) : "localhost"
        return SSHConfigEnvironment(
            localUser: name, userID: UInt32(uid), homeDirectory: home, localHostname: hostname,
            variables: ProcessInfo.processInfo.environment, runCommand: SystemServices.runInShell,
            resolveHost: SystemServices.canonicalName, interfaceAddresses: SystemServices.interfaceAddresses)
    }
}

/// The system calls behind `SSHConfigEnvironment.current()`.
enum SystemServices {
    /// Runs `$SHELL -c command` with standard input and output on /dev/null, as `Match exec` does.
    @Sendable static func runInShell(_ command: String) -> Int32? {
        let shell = ProcessInfo.processInfo.environment["SHELL"].flatMap { $0.isEmpty ? nil : $0 } ?? "/bin/sh"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        process.waitUntilExit()
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// Resolves `name` with `getaddrinfo` and returns the canonical name it reports.
    @Sendable static func canonicalName(_ name: String) -> String? {
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        if let canon = first.pointee.ai_canonname { return String(cString: canon) }
        return name
    }

    /// The numeric addresses of interfaces that are up.
    @Sendable static func interfaceAddresses() -> [String] {
        InterfaceAddress.all().map(\.address)
    }

    /// Whether `name` is a numeric IPv4 or IPv6 address; returns its canonical numeric form.
    static func numericAddress(_ name: String) -> String? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        hints.ai_family = AF_UNSPEC
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result, let address = first.pointee.ai_addr
        else { return nil }
        defer { freeaddrinfo(result) }
        var host = [CChar](repeating: 0, count: 1025)
        guard getnameinfo(address, first.pointee.ai_addrlen, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0
        else { return name }
        return string(fromCString: host)
    }
}

/// A NUL-terminated buffer as a string.
func string(fromCString buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
