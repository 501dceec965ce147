import Foundation
import Logging

/// Writes what the client library tells (``SSHClientConfiguration/logger``) on standard error
/// the way ssh writes its log: `debug1: ` before `debug` messages and `debug2: ` before `trace`
/// ones, `info` (ssh's VERBOSE) and louder messages bare, each line ended with `\r\n` so that it
/// reads right on a terminal in raw mode too; shown while the session's ``LogVerbosity`` reaches
/// their level, which `~v` and `~V` change.
struct StandardErrorLogHandler: LogHandler {
    let verbosity: LogVerbosity
    /// Where the lines go: standard error, or the file of `ssh -E`.
    var output = FileHandle.standardError
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The LogLevel step at which messages of `level` show, and the prefix ssh gives them.
    static func step(of level: Logger.Level) -> (name: String, prefix: String) {
        switch level {
        case .trace: ("DEBUG2", "debug2: ")
        case .debug: ("DEBUG1", "debug1: ")
        case .info: ("VERBOSE", "")
        case .notice, .warning: ("INFO", "")
        case .error: ("ERROR", "")
        case .critical: ("FATAL", "")
        }
    }

    func log(event: LogEvent) {
        let (name, prefix) = Self.step(of: event.level)
        guard verbosity.shows(name) else { return }
        output.write(Data((prefix + event.message.description + "\r\n").utf8))
    }
}
