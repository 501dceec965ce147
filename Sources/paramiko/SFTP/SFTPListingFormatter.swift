import SFTP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The text of `ls` and `df`, laid out as OpenSSH's sftp lays it out: names in columns sized to the terminal
/// (`do_ls_dir`, `do_globbed_ls`), `ls -l` lines (`ls_file` in sftp-common.c) and `df`'s table (`do_df`).
struct SFTPListingFormatter {
    /// The terminal width names are laid out in.
    var width: Int

    // MARK: Columns

    /// Lays `names` out in columns: as many as fit `width` when the longest takes `longest` bytes (OpenSSH
    /// counts a path prefix in), one per line with `singleColumn`.
    func columns(_ names: [String], longest: Int, singleColumn: Bool) -> [String] {
        var columnCount = 1
        var columnWidth = 0
        if !singleColumn {
            columnCount = max(width / (longest + 2), 1)
            columnWidth = min(width / columnCount, width)
        }
        var lines: [String] = []
        var line = ""
        var inLine = 0
        for name in names {
            line += Self.padded(name, to: columnWidth)
            inLine += 1
            if inLine >= columnCount {
                lines.append(line)
                line = ""
                inLine = 0
            }
        }
        if inLine > 0 { lines.append(line) }
        return lines
    }

    /// `text` followed by spaces up to `width` bytes (`printf("%-*s")`).
    static func padded(_ text: String, to width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.utf8.count))
        return right ? fill + text : text + fill
    }

    // MARK: Long lines

    /// The `ls -l` line of `name`: mode, link count (`?`, which SFTP does not carry), owner, group, size,
    /// modification date and name.
    static func longLine(
        _ name: String, _ attributes: SFTPAttributes, owner: String, group: String, humanReadable: Bool
    )
        -> String
    {
        let mode = SFTPFileType.modeString(attributes.permissions ?? 0)
        let size = attributes.size ?? 0
        let sizeText = padded(humanReadable ? SFTPScaledNumber.format(size) : String(size), to: 8, right: true)
        let ownerWidth = max(owner.utf8.count, 8)
        let groupWidth = max(group.utf8.count, 8)
        return "\(mode)    ? \(padded(owner, to: ownerWidth)) \(padded(group, to: groupWidth)) \(sizeText) "
            + "\(date(attributes.modificationTime ?? 0)) \(name)"
    }

    /// `Nov 29 17:30` for a time within half a year, `Nov 29  2023` otherwise, in local time.
    static func date(_ seconds: UInt32) -> String {
        var moment = time_t(seconds)
        var parts = tm()
        guard localtime_r(&moment, &parts) != nil else { return "" }
        let now = time(nil)
        let recent = now - time_t(seconds) < 365 * 24 * 60 * 60 / 2
        var buffer = [CChar](repeating: 0, count: 32)
        let length = strftime(&buffer, buffer.count, recent ? "%b %e %H:%M" : "%b %e  %Y", &parts)
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: df

    /// `df`'s two lines for `stats`: kibibytes, or scaled sizes with `humanReadable`, or inodes.
    static func diskFree(_ stats: SFTPFileSystemStats, humanReadable: Bool, inodes: Bool) -> [String] {
        func product(_ a: UInt64, _ b: UInt64) -> UInt64 {
            let (value, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? .max : value
        }
        func difference(_ a: UInt64, _ b: UInt64) -> UInt64 { a >= b ? a - b : 0 }
        func capacity(_ total: UInt64, _ free: UInt64) -> String {
            guard total > 0 else { return "ERR" }
            return padded("\(product(100, difference(total, free)) / total)%", to: 4, right: true)
        }
        let usedBlocks = difference(stats.blocks, stats.freeBlocks)
        if inodes {
            let used = difference(stats.files, stats.freeFiles)
            let values = [stats.files, used, stats.availableFiles, stats.freeFiles].map {
                padded(String($0), to: 11, right: true)
            }
            return [
                "     Inodes        Used       Avail      (root)    %Capacity",
                values.joined(separator: " ") + "         " + capacity(stats.files, stats.freeFiles),
            ]
        }
        let bytes = [stats.blocks, usedBlocks, stats.availableBlocks, stats.freeBlocks].map {
            product($0, stats.fragmentSize)
        }
        if humanReadable {
            let values = bytes.map { padded(SFTPScaledNumber.format($0), to: 7, right: true) + "B" }
            return [
                "    Size     Used    Avail   (root)    %Capacity",
                values.joined(separator: " ") + "         " + capacity(stats.blocks, stats.freeBlocks),
            ]
        }
        let values = bytes.map { padded(String($0 / 1024), to: 12, right: true) }
        return [
            "        Size         Used        Avail       (root)    %Capacity",
            values.joined(separator: " ") + "         " + capacity(stats.blocks, stats.freeBlocks),
        ]
    }
}
