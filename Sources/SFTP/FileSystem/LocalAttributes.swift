#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension SFTPAttributes {
    /// The attributes of a local `stat`: size, owner, mode with file type, times (draft-02 §5).
    init(_ info: FileStatus) {
        #if canImport(Darwin)
            let accessTime = info.st_atimespec.tv_sec
            let modificationTime = info.st_mtimespec.tv_sec
        #else
            let accessTime = info.st_atim.tv_sec
            let modificationTime = info.st_mtim.tv_sec
        #endif
        self.init(
            size: UInt64(max(0, info.st_size)), uid: UInt32(info.st_uid), gid: UInt32(info.st_gid),
            permissions: UInt32(info.st_mode), accessTime: UInt32(clamping: accessTime),
            modificationTime: UInt32(clamping: modificationTime))
    }
}

extension SFTPAttributes {
    /// Only the permission bits (file type removed) and the two times: what a copy takes from its source.
    var permissionsAndTimes: SFTPAttributes {
        SFTPAttributes(
            permissions: permissions.map { $0 & 0o7777 }, accessTime: accessTime, modificationTime: modificationTime)
    }
}

/// The `ls -l` line of a READDIR entry, in the layout of OpenSSH's `ls_file` (sftp-common.c): mode,
/// links, owner, group, size, date, name.
enum LongName {
    /// Owner and group names already looked up, by id: a directory's entries mostly share them.
    struct NameCache {
        var users: [UInt32: String] = [:]
        var groups: [UInt32: String] = [:]

        mutating func user(_ uid: UInt32) -> String {
            if let known = users[uid] { return known }
            let name = LocalAccounts.userName(uid) ?? String(uid)
            users[uid] = name
            return name
        }

        mutating func group(_ gid: UInt32) -> String {
            if let known = groups[gid] { return known }
            let name = LocalAccounts.groupName(gid) ?? String(gid)
            groups[gid] = name
            return name
        }
    }

    static func make(_ name: String, _ info: FileStatus, names: inout NameCache) -> String {
        let mode = SFTPFileType.modeString(UInt32(info.st_mode))
        let user = names.user(UInt32(info.st_uid))
        let group = names.group(UInt32(info.st_gid))
        #if canImport(Darwin)
            var seconds = info.st_mtimespec.tv_sec
        #else
            var seconds = info.st_mtim.tv_sec
        #endif
        var parts = tm()
        localtime_r(&seconds, &parts)
        let now = time(nil)
        let recent = now >= seconds && now - seconds < 365 * 24 * 3600 / 2
        var text = [CChar](repeating: 0, count: 64)
        let length = strftime(&text, text.count, recent ? "%b %e %H:%M" : "%b %e  %Y", &parts)
        let date = String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(mode) \(pad(String(info.st_nlink), 3, right: true)) \(pad(user, 8)) \(pad(group, 8)) "
            + "\(pad(String(info.st_size), 8, right: true)) \(date) \(name)"
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}

/// User and group names from the system's databases.
enum LocalAccounts {
    static func userName(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var storage = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid_t(uid), &entry, &storage, storage.count, &result) == 0, result != nil,
            let name = entry.pw_name
        else { return nil }
        return String(cString: name)
    }

    static func groupName(_ gid: UInt32) -> String? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var storage = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid_t(gid), &entry, &storage, storage.count, &result) == 0, result != nil,
            let name = entry.gr_name
        else { return nil }
        return String(cString: name)
    }
}
