#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// C library functions and constants the process runner needs for RFC 4254 §6.2 and §6.5 that the
/// Glibc module does not declare (they sit behind `_GNU_SOURCE` or `_XOPEN_SOURCE`), looked up at
/// run time so a C library without them degrades instead of failing to load.
enum SystemFunctions {
    typealias FileActions = UnsafeMutablePointer<posix_spawn_file_actions_t>

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29, macOS 10.15).
    static let addChdir: (@convention(c) (FileActions, UnsafePointer<CChar>) -> Int32)? =
        lookup("posix_spawn_file_actions_addchdir_np")

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34).
    static let addCloseFrom: (@convention(c) (FileActions, Int32) -> Int32)? =
        lookup("posix_spawn_file_actions_addclosefrom_np")

    /// `pipe2`, for pipes that are close-on-exec from the start.
    static let pipe2: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32)? =
        lookup("pipe2")

    /// `grantpt`.
    static let grantpt: (@convention(c) (Int32) -> Int32)? = lookup("grantpt")

    /// `unlockpt`.
    static let unlockpt: (@convention(c) (Int32) -> Int32)? = lookup("unlockpt")

    /// `ptsname_r` (Linux) — the thread-safe `ptsname`.
    static let ptsnameR: (@convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32)? =
        lookup("ptsname_r")

    /// `POSIX_SPAWN_SETSID`: the child calls `setsid` before its file actions run.
    #if canImport(Darwin)
    static let spawnSetSID: Int32 = 0x0400
    #else
    static let spawnSetSID: Int32 = 0x80
    #endif

    /// Linux's `F_SETPIPE_SZ`.
    static let setPipeSize: Int32 = 1031

    private static func lookup<Function>(_ name: String) -> Function? {
        #if canImport(Darwin)
        let handle = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
        let handle: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let symbol = dlsym(handle, name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }

    /// A pipe whose two ends are close-on-exec and above the standard descriptors (so that the
    /// child's `dup2` onto 0, 1 and 2 never overwrites one of them): `[read, write]`.
    static func makePipe() throws(SSHServerError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let status: Int32
        if let pipe2 {
            status = pipe2(&fds, O_CLOEXEC)
        } else {
            status = pipe(&fds)
        }
        guard status == 0 else {
            throw SSHServerError(.descriptors, "pipe: \(errorString(errno))")
        }
        let readEnd: Int32
        do throws(SSHServerError) {
            readEnd = try aboveStandardDescriptors(fds[0])
        } catch {
            close(fds[1])
            throw error
        }
        do throws(SSHServerError) {
            return (readEnd, try aboveStandardDescriptors(fds[1]))
        } catch {
            close(readEnd)
            throw error
        }
    }

    /// `fd` itself when it is above 2 (made close-on-exec), otherwise a close-on-exec duplicate above
    /// 2, closing `fd`.
    static func aboveStandardDescriptors(_ fd: Int32) throws(SSHServerError) -> Int32 {
        guard fd <= 2 else {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            return fd
        }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        let error = errno
        close(fd)
        guard moved >= 0 else { throw SSHServerError(.descriptors, "fcntl(F_DUPFD_CLOEXEC): \(errorString(error))") }
        return moved
    }

    /// `strerror` of `code`.
    static func errorString(_ code: Int32) -> String { String(cString: strerror(code)) }
}
