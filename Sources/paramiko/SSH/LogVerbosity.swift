import Foundation

/// How much `paramiko ssh` says on standard error, in OpenSSH's LogLevel steps (ssh_config(5)):
/// set by `-q`, `-v` and LogLevel at the start, raised and lowered by `~v` and `~V`.
final class LogVerbosity: @unchecked Sendable {
    /// LogLevel's steps, quietest first.
    static let names = ["QUIET", "FATAL", "ERROR", "INFO", "VERBOSE", "DEBUG1", "DEBUG2", "DEBUG3"]
    private let lock = NSLock()
    private var index: Int

    /// The level `logLevel` names (DEBUG is DEBUG1), raised one step per `-v`; QUIET with `quiet`.
    init(logLevel: String, verbose: Int = 0, quiet: Bool = false) {
        let base = Self.names.firstIndex(of: logLevel == "DEBUG" ? "DEBUG1" : logLevel) ?? 3
        // As ssh: -v counts from INFO whatever LogLevel says, and -q wins over both.
        let start = verbose > 0 ? min(Self.names.count - 1, 4 + verbose) : base
        index = quiet ? 0 : start
    }

    /// The current level's name.
    var name: String { lock.withLock { Self.names[index] } }

    /// Whether a message of the level `name` is shown now.
    func shows(_ name: String) -> Bool {
        guard let wanted = Self.names.firstIndex(of: name) else { return false }
        return lock.withLock { wanted <= index }
    }

    /// One step quieter, not below QUIET; returns the new level's name.
    func quieter() -> String {
        lock.withLock {
            index = max(0, index - 1)
            return Self.names[index]
        }
    }

    /// One step louder, not above DEBUG3; returns the new level's name.
    func louder() -> String {
        lock.withLock {
            index = min(Self.names.count - 1, index + 1)
            return Self.names[index]
        }
    }
}
