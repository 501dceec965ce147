import Foundation
import SFTP

/// The one-line progress meter OpenSSH's sftp draws while a file moves (progressmeter.c): the file's name,
/// the percentage done, the bytes so far, the rate and the time left, redrawn in place at most once a second
/// and once more, complete, at the end.
///
/// ``update(_:)`` is called from the transfer's reader thread; ``finish()`` after the transfer returns.
final class SFTPProgressMeter: @unchecked Sendable {
    private let name: String
    private let total: UInt64
    private let console: SFTPConsole
    private let start = ContinuousClock.now
    private let lock = NSLock()
    private var lastDraw: ContinuousClock.Instant?
    private var latest: SFTPTransferProgress

    /// A meter for `name` (the last path component is shown) of `total` bytes, starting at `offset` for a
    /// resumed transfer; draws its first line at once.
    init(name: String, total: UInt64, offset: UInt64, console: SFTPConsole) {
        self.name = Self.shownName(name)
        self.total = total
        self.console = console
        self.latest = SFTPTransferProgress(bytesTransferred: offset, totalBytes: total, bytesPerSecond: 0)
        lock.withLock { draw(now: start) }
    }

    /// Takes a progress report; redraws when a second has passed since the last line.
    func update(_ progress: SFTPTransferProgress) {
        lock.withLock {
            latest = progress
            let now = ContinuousClock.now
            if let lastDraw, now - lastDraw < .seconds(1) { return }
            draw(now: now)
        }
    }

    /// Draws the final line and ends it.
    func finish() {
        lock.withLock {
            draw(now: ContinuousClock.now)
            console.printRaw("\n")
        }
    }

    private func draw(now: ContinuousClock.Instant) {
        lastDraw = now
        console.printRaw(
            "\r"
                + Self.line(
                    name: name, done: latest.bytesTransferred, total: total, rate: latest.bytesPerSecond,
                    elapsed: (now - start) / .seconds(1), width: min(SFTPConsole.columns(of: console.output), 512)))
    }

    /// The meter's text (without the leading carriage return), `width` columns wide.
    static func line(name: String, done: UInt64, total: UInt64, rate: Double, elapsed: Double, width: Int) -> String {
        var text = ""
        // progressmeter.c counts a terminating NUL into the width.
        let nameWidth = width + 1 - 36
        if nameWidth > 0 {
            let shown = String(decoding: name.utf8.prefix(nameWidth), as: UTF8.self)
            text = SFTPListingFormatter.padded(shown, to: nameWidth)
        }
        let percent = total == 0 || done >= total ? 100 : Int(Double(done) / Double(total) * 100)
        text += " " + SFTPListingFormatter.padded("\(percent)%", to: 4, right: true)
        text += " " + size(done) + " " + Self.rate(rate) + "/s "
        let left = total > done ? total - done : 0
        let usableRate = rate.isFinite && rate > 0
        if !usableRate && left > 0 {
            text += "  --:-- ETA"
        } else {
            let estimate = left > 0 ? Double(left) / rate : elapsed
            var seconds = estimate.isFinite ? Int(max(0, min(estimate, 359_999))) : 0
            let hours = seconds / 3600
            seconds -= hours * 3600
            let minutes = seconds / 60
            seconds -= minutes * 60
            if hours != 0 {
                text += "\(hours):\(twoDigits(minutes)):\(twoDigits(seconds))"
            } else {
                text += "  \(twoDigits(minutes)):\(twoDigits(seconds))"
            }
            text += left > 0 ? " ETA" : "    "
        }
        return text
    }

    private static func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private static let units: [Character] = [" ", "K", "M", "G", "T"]

    /// A byte count in five columns and a unit: `   6 `, `1234KB` (progressmeter.c's `format_size`).
    static func size(_ bytes: UInt64) -> String {
        var value = bytes
        var unit = 0
        while value >= 10000 && unit < units.count - 1 {
            value = (value + 512) / 1024
            unit += 1
        }
        return SFTPListingFormatter.padded(String(value), to: 4, right: true) + String(units[unit])
            + (unit > 0 ? "B" : " ")
    }

    /// A rate with one decimal and a unit: `  5.2KB` (progressmeter.c's `format_rate`).
    static func rate(_ bytesPerSecond: Double) -> String {
        var value = UInt64(max(0, min(bytesPerSecond, 1e15))) &* 100
        var unit = 0
        while value >= 100 * 1000 && unit < units.count - 1 {
            value = (value + 512) / 1024
            unit += 1
        }
        if unit == 0 {
            unit = 1
            value = (value + 512) / 1024
        }
        let whole = SFTPListingFormatter.padded(String((value + 5) / 100), to: 3, right: true)
        return "\(whole).\((value + 5) / 10 % 10)\(units[unit])B"
    }

    /// The last component of `path`, or `path` when it ends in `/` (progressmeter's `progress_meter_path`).
    private static func shownName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        let last = path[path.index(after: slash)...]
        return last.isEmpty ? path : String(last)
    }
}
